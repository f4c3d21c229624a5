// The one transaction for every command that stores a secret together with its
// metadata (request, renew, import, app add, app set-secret): secret first,
// then config.json; if the config write fails, the secret store gets its old
// value back, so both stay as they were before the command.

import type { CommandContext } from '../context.js';
import { updateConfig, type Config } from '../config/config.js';

export interface SecretWithConfig {
  /** The store account, e.g. accounts.refreshToken('shop-de'). */
  account: string;
  secret: string;
  /** The config change that belongs to the secret; it sees the latest file, under the config lock. */
  change: (config: Config) => void;
  /** Accounts that belong to the old secret (a cached access token): deleted once both are written. */
  stale?: readonly string[];
  /** For the signal message, e.g. "the new authorization". */
  what: string;
}

export async function storeSecretThenConfig(ctx: CommandContext, write: SecretWithConfig): Promise<void> {
  // A signal now would split store and config: hold it until both are written.
  let deferred: string | undefined;
  const restoreSignals = ctx.deps.onSignal((signal) => {
    deferred = signal;
    ctx.out.warn(`${signal} received: finishing storing ${write.what} first`);
  });
  try {
    const store = await ctx.deps.secretStore();
    const previous = await store.get(write.account);
    await store.set(write.account, write.secret);
    try {
      await updateConfig(ctx.deps.configDir, write.change);
    } catch (error) {
      if (previous === null) await store.delete(write.account).catch(() => {});
      else await store.set(write.account, previous).catch(() => {});
      throw error;
    }
    for (const account of write.stale ?? []) await store.delete(account).catch(() => {});
  } finally {
    restoreSignals();
    if (deferred) ctx.out.warn(`stored completely despite ${deferred}`);
  }
}
