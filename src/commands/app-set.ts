// `amz-token app set <name>`: change an app's redirect URI, draft flag, client id,
// application id, client secret's creation date or secret queue in place, so that
// its profiles and client secret stay.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import { queueUrl } from '../validate.js';
import { updateConfig, type AppRecord } from '../config/config.js';
import { findApp } from '../config/lookup.js';
import { appSecretExpiry, expiredClientSecretWarning } from '../expiry.js';
import * as validate from '../validate.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import { appFlags, appNameOf, dateOf } from './options.js';
import type { CommandLine, Program } from './command-line.js';

const { OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE } = ExitCode;
export const APP_SET_EXIT_CODES = [OK, USAGE, NOT_FOUND, STORE_UNAVAILABLE] as const;

/** What `app set` changes; an absent field stays as it is. */
export interface AppSetOptions {
  name: string;
  appId?: string;
  clientId?: string;
  redirectUri?: string;
  draft?: boolean;
  /** Corrects when the client secret was created; the secret itself stays. */
  secretCreated?: Date;
  secretQueueUrl?: string;
}

// The fields `app set` can change (the dates Amazon stated for a rotated secret are not among them).
const FIELD_NAMES: Record<keyof Omit<AppRecord, 'clientSecretExpiresAt' | 'oldClientSecretExpiresAt'>, string> = {
  appId: 'application id',
  clientId: 'client id',
  redirectUri: 'redirect URI',
  draft: 'draft',
  clientSecretCreatedAt: 'client secret created',
  secretQueueUrl: 'secret queue',
};

/** Changes an app's metadata in place: its profiles and client secret stay as they are. */
export async function runAppSet(ctx: CommandContext, opts: AppSetOptions): Promise<ExitCode> {
  const { name, secretCreated, ...wanted } = opts;
  const now = ctx.deps.now();
  if (secretCreated) validate.notInFuture(secretCreated, now, '--secret-created');
  const changes = Object.fromEntries(Object.entries(wanted).filter(([, value]) => value !== undefined)) as Partial<AppRecord>;
  if (secretCreated) changes.clientSecretCreatedAt = secretCreated.toISOString();
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      'nothing to change',
      `give one or more of --redirect-uri, --draft, --no-draft, --client-id, --app-id, --secret-created, --secret-queue, e.g. amz-token app set ${name} --draft`,
    );
  }
  findApp(await readConfig(ctx), name);
  const { before, after } = await updateConfig(ctx.deps.configDir, (latest) => {
    const app = findApp(latest, name);
    const previous = { ...app };
    Object.assign(app, changes);
    return { before: previous, after: { ...app } };
  });
  if (secretCreated) {
    const warning = expiredClientSecretWarning(name, secretCreated, now);
    if (warning) ctx.out.warn(warning);
  }
  if (ctx.global.json) {
    ctx.out.json({ app: name, ...after, clientSecretExpiresAt: appSecretExpiry(after).toISOString() });
    return OK;
  }
  ctx.out.info(`Updated app ${name}:`);
  for (const key of Object.keys(changes) as Array<keyof typeof FIELD_NAMES>) {
    ctx.out.info(`  ${FIELD_NAMES[key]}: ${String(before[key] ?? '(none)')} -> ${String(after[key])}`);
  }
  if (changes.redirectUri !== undefined && changes.redirectUri !== before.redirectUri) {
    ctx.out.info(`Register exactly ${after.redirectUri} as the app's Redirect URI (a relay page also as its Login URI) in the Developer Console.`);
  }
  if (changes.clientId !== undefined && changes.clientId !== before.clientId) {
    // LWA binds a refresh token to the client it was issued to.
    ctx.out.info(`Refresh tokens issued to the old client id will not work with the new one (amz-token status --check shows which); if the secret changed too, run: amz-token app set-secret ${name}`);
  }
  return OK;
}

/** Registers `set` under the `app` command. */
export function registerAppSet(app: Program, line: CommandLine): void {
  app
    .command('set')
    .description("change an app's redirect URI, draft flag, client id, application id or secret's creation date; its profiles and client secret stay")
    .argument('<name>', 'the app to change', appNameOf('app name'))
    .addOption(appFlags.redirectUri())
    .option('--draft', 'the app is in Draft: consent URLs get version=beta')
    .option('--no-draft', 'the app is published: no version=beta')
    .addOption(appFlags.clientId())
    .addOption(appFlags.appId())
    .addOption(new Option('--secret-created <date>', 'correct when the client secret was created (it expires 180 days later); the secret stays').argParser(dateOf('--secret-created')))
    .addOption(new Option('--secret-queue <url>', "the SQS queue registered for the app's client-secret notifications (docs/rotation.md)").argParser((v) => queueUrl(v, '--secret-queue')))
    .addHelpText(
      'after',
      helpFooter(
        [
          'amz-token app set my-app --draft',
          'amz-token app set my-app --redirect-uri https://example.com/amz-token/',
          'amz-token app set my-app --secret-created 2026-10-01',
          'amz-token app set my-app --secret-queue https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets',
        ],
        APP_SET_EXIT_CODES,
      ),
    )
    .action((name, flags) => {
      const options: AppSetOptions = {
        name,
        ...(flags.appId !== undefined ? { appId: flags.appId } : {}),
        ...(flags.clientId !== undefined ? { clientId: flags.clientId } : {}),
        ...(flags.redirectUri !== undefined ? { redirectUri: flags.redirectUri } : {}),
        ...(flags.draft !== undefined ? { draft: flags.draft } : {}),
        ...(flags.secretCreated !== undefined ? { secretCreated: flags.secretCreated } : {}),
        ...(flags.secretQueue !== undefined ? { secretQueueUrl: flags.secretQueue } : {}),
      };
      line.choose('app set', options, runAppSet);
    });
}
