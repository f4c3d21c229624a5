// `amz-token app add|list|remove|set-secret`: the SP-API applications that
// profiles authorize. Metadata goes to config.json, the client secret to the keychain.

import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { updateConfig, type AppRecord } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import { readSecret } from '../secrets/input.js';
import * as validate from '../validate.js';
import { clientSecretExpiry, expiryState, DEFAULT_WARN_DAYS } from '../expiry.js';
import { formatDate } from './dates.js';
import { findApp, readConfig, type CommandContext } from './context.js';
import { helpFooter } from './help.js';
import { table } from '../output.js';

export interface AppAddOptions {
  name: string;
  appId: string;
  clientId: string;
  redirectUri: string;
  draft: boolean;
  secretCreated?: Date;
}

const checkClientSecret = (value: string) =>
  value.startsWith('Atz') ? 'that looks like an LWA token, not a client secret (amzn1.oa2-cs.v1.…)' : undefined;

export async function runAppAdd(ctx: CommandContext, opts: AppAddOptions): Promise<void> {
  const config = await readConfig(ctx);
  if (config.apps[opts.name]) {
    throw new UsageError(`app "${opts.name}" exists already`, `to store a rotated secret run: amz-token app set-secret ${opts.name}`);
  }
  const secret = await readSecret(ctx.deps, { what: 'client secret', allowPrompt: ctx.global.input, check: checkClientSecret });
  const createdAt = opts.secretCreated ?? ctx.deps.now();
  const record: AppRecord = {
    appId: opts.appId,
    clientId: opts.clientId,
    redirectUri: opts.redirectUri,
    draft: opts.draft,
    clientSecretCreatedAt: createdAt.toISOString(),
  };
  const store = await ctx.deps.secretStore();
  await store.set(accounts.clientSecret(opts.name), secret);
  try {
    await updateConfig(ctx.deps.configDir, (c) => {
      if (c.apps[opts.name]) throw new UsageError(`app "${opts.name}" was added by another command meanwhile`);
      c.apps[opts.name] = record;
    });
  } catch (error) {
    // Keep keychain and config in step: no orphan secret for an app that was never written.
    await store.delete(accounts.clientSecret(opts.name)).catch(() => {});
    throw error;
  }
  if (ctx.global.json) {
    ctx.out.json({ app: opts.name, ...record, clientSecretExpiresAt: clientSecretExpiry(createdAt).toISOString() });
    return;
  }
  ctx.out.info(`Added app ${opts.name}; its client secret is in ${store.description}.`);
  if (!opts.secretCreated) {
    ctx.out.info(`Assumed the client secret was created today; if it is older, re-run with --secret-created <date>.`);
  }
  ctx.out.info(`The client secret expires ${formatDate(clientSecretExpiry(createdAt), ctx.deps.now())}.`);
  ctx.out.info(`Next: amz-token request --profile <name> --app ${opts.name} --marketplace <cc>, or amz-token import.`);
}

export async function runAppList(ctx: CommandContext): Promise<void> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  const apps = Object.entries(config.apps).map(([name, app]) => {
    const expires = clientSecretExpiry(new Date(app.clientSecretCreatedAt));
    return { app: name, ...app, clientSecretExpiresAt: expires.toISOString(), state: expiryState(expires, now, DEFAULT_WARN_DAYS) };
  });
  if (ctx.global.json) {
    ctx.out.json({ apps });
    return;
  }
  if (apps.length === 0) {
    ctx.out.info('No apps yet. Register one with: amz-token app add <name> --app-id ... --client-id ... --redirect-uri ...');
    return;
  }
  const rows = [['APP', 'APPLICATION ID', 'REDIRECT URI', 'DRAFT', 'SECRET EXPIRES']];
  for (const a of apps) {
    rows.push([a.app, a.appId, a.redirectUri, a.draft ? 'yes' : 'no', formatDate(new Date(a.clientSecretExpiresAt), now)]);
  }
  for (const line of table(rows)) ctx.out.result(line);
}

export async function runAppRemove(ctx: CommandContext, name: string): Promise<void> {
  const config = await readConfig(ctx);
  findApp(config, name);
  const users = Object.entries(config.profiles).filter(([, p]) => p.app === name).map(([n]) => n);
  if (users.length) {
    throw new UsageError(`app "${name}" is used by profile(s) ${users.join(', ')}`, 'remove them first with amz-token remove --profile <name>');
  }
  // Keychain first: if it is unavailable we stop before changing anything.
  const store = await ctx.deps.secretStore();
  await store.delete(accounts.clientSecret(name));
  await updateConfig(ctx.deps.configDir, (c) => {
    delete c.apps[name];
  });
  ctx.out.info(`Removed app ${name} and its client secret.`);
}

export async function runAppSetSecret(ctx: CommandContext, name: string, created?: Date): Promise<void> {
  findApp(await readConfig(ctx), name);
  const secret = await readSecret(ctx.deps, { what: 'new client secret', allowPrompt: ctx.global.input, check: checkClientSecret });
  const createdAt = created ?? ctx.deps.now();
  const store = await ctx.deps.secretStore();
  await store.set(accounts.clientSecret(name), secret);
  await updateConfig(ctx.deps.configDir, (c) => {
    findApp(c, name).clientSecretCreatedAt = createdAt.toISOString();
  });
  ctx.out.info(`Stored the new client secret of ${name}; it expires ${formatDate(clientSecretExpiry(createdAt), ctx.deps.now())}.`);
}

export function registerApp(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  const app = program
    .command('app')
    .description('register and manage SP-API apps (application id, LWA client, client secret)')
    .addHelpText('after', helpFooter(['amz-token app list', 'amz-token app set-secret my-app < new-secret.txt'], '0, 2, 5, 8'));

  app
    .command('add <name>')
    .description('register an app; the client secret is read from stdin or a hidden prompt, never from a flag')
    .requiredOption('--app-id <id>', 'SP-API application id (amzn1.sp.solution.…)')
    .requiredOption('--client-id <id>', 'LWA client id (amzn1.application-oa2-client.…)')
    .requiredOption('--redirect-uri <uri>', 'the OAuth redirect URI registered for the app')
    .option('--draft', 'the app is still in Draft: consent URLs get version=beta', false)
    .option('--secret-created <date>', 'when the client secret was created (default: today); it expires 180 days later')
    .addHelpText(
      'after',
      helpFooter(
        ['amz-token app add my-app --app-id amzn1.sp.solution.… --client-id amzn1.application-oa2-client.… \\\n      --redirect-uri https://example.com/amz-token/ --secret-created 2026-10-01 < client-secret.txt'],
        '0, 2, 8',
      ),
    )
    .action(async (name: string, o: Record<string, string | boolean | undefined>, cmd: Command) => {
      await runAppAdd(ctxFor(cmd), {
        name: validate.appName(name),
        appId: validate.applicationId(String(o.appId)),
        clientId: validate.clientId(String(o.clientId)),
        redirectUri: validate.redirectUri(String(o.redirectUri)),
        draft: o.draft === true,
        secretCreated: typeof o.secretCreated === 'string' ? validate.date(o.secretCreated, '--secret-created') : undefined,
      });
    });

  app
    .command('list')
    .description('list registered apps (no secrets)')
    .addHelpText('after', helpFooter(['amz-token app list', 'amz-token app list --json'], '0, 2'))
    .action(async (_o: unknown, cmd: Command) => runAppList(ctxFor(cmd)));

  app
    .command('remove <name>')
    .description('remove an app and its client secret (refused while profiles use it)')
    .addHelpText('after', helpFooter(['amz-token app remove old-app'], '0, 2, 5, 8'))
    .action(async (name: string, _o: unknown, cmd: Command) => runAppRemove(ctxFor(cmd), validate.appName(name)));

  app
    .command('set-secret <name>')
    .description('store a rotated client secret (stdin or hidden prompt) and restart its 180 days')
    .option('--secret-created <date>', 'when the new secret was created (default: now)')
    .addHelpText('after', helpFooter(['amz-token app set-secret my-app < new-secret.txt'], '0, 2, 5, 8'))
    .action(async (name: string, o: { secretCreated?: string }, cmd: Command) =>
      runAppSetSecret(
        ctxFor(cmd),
        validate.appName(name),
        o.secretCreated === undefined ? undefined : validate.date(o.secretCreated, '--secret-created'),
      ),
    );
}
