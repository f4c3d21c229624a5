// `amz-token app add|list|set|remove|set-secret` (and rotate-secret, watch-secrets: app-secrets.ts): the SP-API applications that
// profiles authorize. Metadata goes to config.json, the client secret to the keychain.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import { updateConfig, type AppRecord } from '../config/config.js';
import { findApp, someNames } from '../config/lookup.js';
import { accounts, grantlessTokenAccounts } from '../secrets/accounts.js';
import { readSecret } from '../secrets/input.js';
import { dropRuntimeEntries, storeSecretThenConfig } from '../secrets/secret-then-config.js';
import * as validate from '../validate.js';
import { appSecretExpiry, clientSecretExpiry, expiredClientSecretWarning, expiryState, DEFAULT_WARN_DAYS } from '../expiry.js';
import { formatDate } from '../dates.js';
import { table } from '../output.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { appFlags, appNameOf, dateOf } from './options.js';
import { registerAppSet } from './app-set.js';
import { registerSecretRotation } from './app-secrets.js';
import type { CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

const { OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE, CANCELLED } = ExitCode;
export const APP_EXIT_CODES = {
  add: [OK, USAGE, STORE_UNAVAILABLE, CANCELLED],
  list: [OK, USAGE],
  remove: [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE],
  setSecret: [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE, CANCELLED],
} as const;

export interface AppAddOptions {
  name: string;
  appId: string;
  clientId: string;
  redirectUri: string;
  draft: boolean;
  secretCreated?: Date;
}

export interface AppNameOptions {
  name: string;
}

export interface AppSetSecretOptions extends AppNameOptions {
  secretCreated?: Date;
}

const checkClientSecret = (value: string) =>
  value.startsWith('Atz') ? 'that looks like an LWA token, not a client secret (amzn1.oa2-cs.v1.…)' : undefined;

export async function runAppAdd(ctx: CommandContext, opts: AppAddOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  if (config.apps[opts.name]) {
    throw new UsageError(`app "${opts.name}" exists already`, `to store a rotated secret run: amz-token app set-secret ${opts.name}`);
  }
  if (opts.secretCreated) validate.notInFuture(opts.secretCreated, ctx.deps.now(), '--secret-created');
  const secret = await readSecret(ctx.deps, { what: 'client secret', allowPrompt: ctx.global.input, check: checkClientSecret });
  const createdAt = opts.secretCreated ?? ctx.deps.now();
  const record: AppRecord = {
    appId: opts.appId,
    clientId: opts.clientId,
    redirectUri: opts.redirectUri,
    draft: opts.draft,
    clientSecretCreatedAt: createdAt.toISOString(),
  };
  await storeSecretThenConfig(ctx, {
    account: accounts.clientSecret(opts.name),
    secret,
    what: 'the new app',
    change: (latest) => {
      if (latest.apps[opts.name]) throw new UsageError(`app "${opts.name}" was added by another command meanwhile`);
      latest.apps[opts.name] = record;
    },
  });
  const warning = expiredClientSecretWarning(opts.name, createdAt, ctx.deps.now());
  if (warning) ctx.out.warn(warning);
  if (ctx.global.json) {
    ctx.out.json({ app: opts.name, ...record, clientSecretExpiresAt: clientSecretExpiry(createdAt).toISOString() });
    return OK;
  }
  const store = await ctx.deps.secretStore();
  ctx.out.info(`Added app ${opts.name}; its client secret is in ${store.description}.`);
  if (!opts.secretCreated) {
    ctx.out.info(`Assumed the client secret was created today; if it is older, correct the date with: amz-token app set ${opts.name} --secret-created <date>`);
  }
  ctx.out.info(`The client secret expires ${formatDate(clientSecretExpiry(createdAt), ctx.deps.now())}.`);
  ctx.out.info(`Next: amz-token request --profile <name> --app ${opts.name} --marketplace <cc>, or amz-token import.`);
  return OK;
}

export async function runAppList(ctx: CommandContext): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  const apps = Object.entries(config.apps).map(([name, app]) => {
    const expires = appSecretExpiry(app);
    return { app: name, ...app, clientSecretExpiresAt: expires.toISOString(), state: expiryState(expires, now, DEFAULT_WARN_DAYS) };
  });
  if (ctx.global.json) {
    ctx.out.json({ apps });
    return OK;
  }
  if (apps.length === 0) {
    ctx.out.info('No apps yet. Register one with: amz-token app add <name> --app-id ... --client-id ... --redirect-uri ...');
    return OK;
  }
  const rows = [['APP', 'APPLICATION ID', 'REDIRECT URI', 'DRAFT', 'SECRET EXPIRES']];
  for (const a of apps) {
    rows.push([a.app, a.appId, a.redirectUri, a.draft ? 'yes' : 'no', formatDate(new Date(a.clientSecretExpiresAt), now)]);
  }
  for (const row of table(rows, ctx.out.width === undefined ? {} : { maxWidth: ctx.out.width })) ctx.out.result(row);
  return OK;
}

export async function runAppRemove(ctx: CommandContext, opts: AppNameOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  findApp(config, opts.name);
  const users = Object.entries(config.profiles)
    .filter(([, profile]) => profile.app === opts.name)
    .map(([name]) => name);
  if (users.length) {
    throw new UsageError(
      `app "${opts.name}" is used by ${users.length === 1 ? 'profile' : `${users.length} profiles:`} ${someNames(users, '', 'amz-token status')}`,
      `remove them first, e.g. amz-token remove --profile ${users[0]}`,
    );
  }
  // Keychain first: if it is unavailable we stop before changing anything.
  const store = await ctx.deps.secretStore();
  await store.delete(accounts.clientSecret(opts.name));
  for (const account of grantlessTokenAccounts(opts.name)) await store.delete(account).catch(() => {});
  await dropRuntimeEntries(ctx, [accounts.clientSecret(opts.name)]);
  await updateConfig(ctx.deps.configDir, (latest) => {
    delete latest.apps[opts.name];
  });
  if (ctx.global.json) ctx.out.json({ removed: { app: opts.name } });
  else ctx.out.info(`Removed app ${opts.name} and its client secret.`);
  return OK;
}

export async function runAppSetSecret(ctx: CommandContext, opts: AppSetSecretOptions): Promise<ExitCode> {
  findApp(await readConfig(ctx), opts.name);
  if (opts.secretCreated) validate.notInFuture(opts.secretCreated, ctx.deps.now(), '--secret-created');
  const secret = await readSecret(ctx.deps, { what: 'new client secret', allowPrompt: ctx.global.input, check: checkClientSecret });
  const createdAt = opts.secretCreated ?? ctx.deps.now();
  await storeSecretThenConfig(ctx, {
    account: accounts.clientSecret(opts.name),
    secret,
    what: 'the new client secret',
    stale: grantlessTokenAccounts(opts.name),
    change: (latest) => {
      const app = findApp(latest, opts.name);
      app.clientSecretCreatedAt = createdAt.toISOString();
      // A secret stored by hand has the usual 180 days; dates Amazon stated for an earlier secret no longer apply.
      delete app.clientSecretExpiresAt;
      delete app.oldClientSecretExpiresAt;
    },
  });
  const warning = expiredClientSecretWarning(opts.name, createdAt, ctx.deps.now());
  if (warning) ctx.out.warn(warning);
  if (ctx.global.json) {
    ctx.out.json({ app: opts.name, clientSecretCreatedAt: createdAt.toISOString(), clientSecretExpiresAt: clientSecretExpiry(createdAt).toISOString() });
    return OK;
  }
  ctx.out.info(`Stored the new client secret of ${opts.name}; it expires ${formatDate(clientSecretExpiry(createdAt), ctx.deps.now())}.`);
  return OK;
}

export function registerApp(program: Program, line: CommandLine): void {
  const app = program
    .command('app')
    .description('register and manage SP-API apps (application id, LWA client, client secret)')
    .addHelpText(
      'after',
      helpFooter(['amz-token app list', 'amz-token app set my-app --draft', 'amz-token app set-secret my-app < new-secret.txt'], [...APP_EXIT_CODES.remove, ...APP_EXIT_CODES.add]),
    );
  const secretCreated = (description: string) => new Option('--secret-created <date>', description).argParser(dateOf('--secret-created'));

  app
    .command('add')
    .description('register an app; the client secret is read from stdin or a hidden prompt, never from a flag')
    .argument('<name>', 'a name for the app in amz-token', appNameOf('app name'))
    .addOption(appFlags.appId().makeOptionMandatory())
    .addOption(appFlags.clientId().makeOptionMandatory())
    .addOption(appFlags.redirectUri().makeOptionMandatory())
    .option('--draft', 'the app is still in Draft: consent URLs get version=beta')
    .addOption(secretCreated('when the client secret was created (default: today); it expires 180 days later'))
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token app add my-app --app-id amzn1.sp.solution.… --client-id amzn1.application-oa2-client.… \\\n      --redirect-uri https://example.com/amz-token/ --secret-created 2026-10-01 < client-secret.txt'],
        APP_EXIT_CODES.add,
      ),
    )
    .action((name, flags) => {
      const options: AppAddOptions = {
        name,
        appId: flags.appId,
        clientId: flags.clientId,
        redirectUri: flags.redirectUri,
        draft: flags.draft === true,
        ...(flags.secretCreated ? { secretCreated: flags.secretCreated } : {}),
      };
      line.choose('app add', options, runAppAdd);
    });

  app
    .command('list')
    .description('list registered apps (no secrets)')
    .addHelpText('after', helpFooter(['amz-token app list', 'amz-token app list --json'], APP_EXIT_CODES.list))
    .action(() => line.choose('app list', {}, runAppList));

  registerAppSet(app, line);

  app
    .command('remove')
    .description('remove an app and its client secret (refused while profiles use it)')
    .argument('<name>', 'the app to remove', appNameOf('app name'))
    .addHelpText('after', helpFooter(['amz-token app remove old-app'], APP_EXIT_CODES.remove))
    .action((name) => line.choose('app remove', { name }, runAppRemove));

  app
    .command('set-secret')
    .description('store a rotated client secret (stdin or hidden prompt) and restart its 180 days')
    .argument('<name>', 'the app whose secret was rotated', appNameOf('app name'))
    .addOption(secretCreated('when the new secret was created (default: now)'))
    .addHelpText('after', helpFooter(['amz-token app set-secret my-app < new-secret.txt'], APP_EXIT_CODES.setSecret))
    .action((name, flags) => line.choose('app set-secret', { name, ...(flags.secretCreated ? { secretCreated: flags.secretCreated } : {}) }, runAppSetSecret));

  registerSecretRotation(app, line);
}
