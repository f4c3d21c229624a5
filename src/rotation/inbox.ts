// What amz-token does with each message on an app's secret queue. A new secret for
// an app of this config is stored (secret-then-config), read back, and only then
// deleted from the queue: a crash at any point leaves the message for the next run.
// A message for a client id this config does not hold is handed back at once,
// untouched: one developer account has one queue for all its apps.

import { AmzTokenError, ExitCode, StoreUnavailableError } from '../errors.js';
import type { CommandContext } from '../context.js';
import type { AppRecord, Config } from '../config/config.js';
import { findApp } from '../config/lookup.js';
import { accounts, grantlessTokenAccounts } from '../secrets/accounts.js';
import { storeSecretThenConfig } from '../secrets/secret-then-config.js';
import { formatDate } from '../dates.js';
import type { QueueMessage, SecretQueue } from './queue.js';
import { parseSecretQueueMessage, type NewSecretNotice, type SecretExpiryNotice, type SecretQueueMessage } from './notifications.js';

/** Received messages stay hidden this long: a reader that dies lets the next run see them after it. */
export const VISIBILITY_SECONDS = 30;

export type StoreResult = 'stored' | 'already stored' | 'older than the stored secret';

/** The names of this config's apps with that client id (usually one). */
export function appsWithClient(config: Config, clientId: string): string[] {
  return Object.entries(config.apps)
    .filter(([, app]) => app.clientId === clientId)
    .map(([name]) => name)
    .sort();
}

/**
 * Stores the new secret a notification carries as `app`'s client secret, with the expiry Amazon
 * stated and until when the old one still works; then reads it back. Deletes nothing from the queue.
 */
export async function storeNewSecret(ctx: CommandContext, app: string, notice: NewSecretNotice): Promise<StoreResult> {
  const store = await ctx.deps.secretStore();
  const account = accounts.clientSecret(app);
  const { loadConfig } = await import('../config/config.js');
  const recorded = findApp(await loadConfig(ctx.deps.configDir), app).clientSecretExpiresAt;
  const stated = notice.newClientSecretExpiryTime.getTime();
  // A redelivered message from an earlier rotation must not put an older secret back.
  if (recorded !== undefined && new Date(recorded).getTime() > stated) return 'older than the stored secret';
  const result: StoreResult = recorded !== undefined && new Date(recorded).getTime() === stated ? 'already stored' : 'stored';
  await storeSecretThenConfig(ctx, {
    account,
    secret: notice.newClientSecret,
    what: `the new client secret of ${app}`,
    stale: grantlessTokenAccounts(app),
    change: (latest) => {
      const record = findApp(latest, app);
      record.clientSecretCreatedAt = (notice.eventTime ?? ctx.deps.now()).toISOString();
      record.clientSecretExpiresAt = notice.newClientSecretExpiryTime.toISOString();
      if (notice.oldClientSecretExpiryTime) record.oldClientSecretExpiresAt = notice.oldClientSecretExpiryTime.toISOString();
      else delete record.oldClientSecretExpiresAt;
    },
  });
  if ((await store.get(account)) !== notice.newClientSecret) {
    throw new StoreUnavailableError(
      `${store.description} did not give back the new client secret of ${app} after storing it; the message stays on the queue`,
      'check the store (amz-token store show), then run: amz-token app watch-secrets --once',
    );
  }
  return result;
}

/** What reading one message came to, for the command's report and exit code. */
export interface Handled {
  message: SecretQueueMessage;
  /** This config's apps the message is for (empty: someone else's, handed back). */
  apps: string[];
  exitCode: ExitCode;
}

/**
 * Handles one new-secret message for this config: store for each app with its client id, then
 * delete it. Failures leave it on the queue (visible again after VISIBILITY_SECONDS) and are thrown.
 */
export async function takeNewSecret(ctx: CommandContext, queue: SecretQueue, message: QueueMessage, notice: NewSecretNotice, apps: string[]): Promise<void> {
  for (const app of apps) {
    const result = await storeNewSecret(ctx, app, notice);
    const expires = formatDate(notice.newClientSecretExpiryTime, ctx.deps.now());
    const old = notice.oldClientSecretExpiryTime ? `; the old one works until ${formatDate(notice.oldClientSecretExpiryTime, ctx.deps.now())}` : '';
    if (result === 'stored') ctx.out.info(`Stored the new client secret of ${app} from the queue; it expires ${expires}${old}.`);
    else if (result === 'already stored') ctx.out.info(`The new client secret of ${app} was stored already (expires ${expires}); removing its message from the queue.`);
    else ctx.out.info(`Skipped an older new-secret message for ${app}: a newer secret is stored; removing it from the queue.`);
  }
  try {
    await queue.delete(message);
  } catch (error) {
    // The secret is safe; the message comes back, and storing it again changes nothing.
    ctx.out.warn(`warning: stored, but could not remove the message from the queue (${(error as Error).message}); the next run removes it`);
  }
}

/** Records the expiry a secret-expiry notification states; false when it is about a secret older than the stored one. */
export async function recordExpiry(ctx: CommandContext, app: string, notice: SecretExpiryNotice): Promise<boolean> {
  const { updateConfig } = await import('../config/config.js');
  return updateConfig(ctx.deps.configDir, (latest) => {
    const record: AppRecord = findApp(latest, app);
    // Sent before the stored secret was created: it was about the secret rotated away.
    if (notice.eventTime && notice.eventTime.getTime() < new Date(record.clientSecretCreatedAt).getTime()) return false;
    record.clientSecretExpiresAt = notice.clientSecretExpiryTime.toISOString();
    return true;
  });
}

/** The exit code of a failure met while handling one message (the run goes on with the next). */
export function failureCode(error: unknown): ExitCode {
  return error instanceof AmzTokenError ? error.exitCode : ExitCode.INTERNAL;
}

export { parseSecretQueueMessage };
