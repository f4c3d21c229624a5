// The one transaction for every command that changes secrets together with
// their metadata: storing (request, renew, import, app add, app set-secret) and
// removing (remove). Secrets first, then config.json; if the config write
// fails, the secret store gets its old values back, so both stay as they were
// before the command. A signal meanwhile is held until both are written.

import type { CommandContext } from '../context.js';
import { AmzTokenError } from '../errors.js';
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

export interface SecretsRemovalWithConfig {
  /** The store accounts to delete, e.g. a profile's refresh token and cached access token. */
  accounts: readonly string[];
  /** The config change that goes with the removal (deleting the profile), under the config lock. */
  change: (config: Config) => void;
  /** For the signal message, e.g. "the removal of profile shop-de". */
  what: string;
}

export async function storeSecretThenConfig(ctx: CommandContext, write: SecretWithConfig): Promise<void> {
  await secretsThenConfig(ctx, [{ account: write.account, value: write.secret }], write.change, write.stale ?? [], { doing: `storing ${write.what}`, done: 'stored completely' });
}

/**
 * Deletes secrets, then changes config.json; if the config write fails, the
 * deleted secrets are stored again and the error says nothing was changed.
 */
export async function removeSecretsThenConfig(ctx: CommandContext, removal: SecretsRemovalWithConfig): Promise<void> {
  await secretsThenConfig(ctx, removal.accounts.map((account) => ({ account, value: null })), removal.change, [], { doing: removal.what, done: 'removed completely' });
}

/** `value: null` deletes the account. */
async function secretsThenConfig(
  ctx: CommandContext,
  writes: readonly { account: string; value: string | null }[],
  change: (config: Config) => void,
  stale: readonly string[],
  words: { doing: string; done: string },
): Promise<void> {
  // A signal now would split store and config: hold it until both are written.
  let deferred: string | undefined;
  const restoreSignals = ctx.deps.onSignal((signal) => {
    deferred = signal;
    ctx.out.warn(`${signal} received: finishing ${words.doing} first`);
  });
  try {
    const store = await ctx.deps.secretStore();
    // Read every old value before the first change: a store that cannot be read stops here, unchanged.
    const previous: { account: string; value: string | null }[] = [];
    for (const { account } of writes) {
      try {
        previous.push({ account, value: await store.get(account) });
      } catch (error) {
        // Several keychain entries with different secrets: none can be put back as it was, and
        // deleting them all is what a removal asks for (the keychain's delete does that).
        if (writes.find((w) => w.account === account)?.value !== null || !(await isDuplicateEntries(error))) throw error;
      }
    }
    const undo = async (): Promise<string[]> => {
      const failed: string[] = [];
      for (const { account, value } of previous.reverse()) {
        await (value === null ? store.delete(account) : store.set(account, value)).catch(() => failed.push(account));
      }
      return failed;
    };
    try {
      for (const { account, value } of writes) await (value === null ? store.delete(account) : store.set(account, value));
      await updateConfig(ctx.deps.configDir, change);
    } catch (error) {
      const failed = await undo();
      if (!(error instanceof AmzTokenError)) throw error;
      const outcome = failed.length
        ? `; could not put back ${failed.join(', ')} in ${store.description}`
        : `; nothing was changed (${store.description} holds what it held before)`;
      error.message += outcome;
      throw error;
    }
    for (const account of stale) await store.delete(account).catch(() => {});
    // The shared runtime cache holds entries of these profiles and apps too (src/secrets/token-cache.ts).
    await dropRuntimeEntries(ctx, [...writes.map((w) => w.account), ...stale]);
  } finally {
    restoreSignals();
    if (deferred) ctx.out.warn(`${words.done} despite ${deferred}`);
  }
}

/** Deletes the runtime cache's entries that a new or removed secret makes stale; never fails the change, which is done. */
export async function dropRuntimeEntries(ctx: CommandContext, accountNames: readonly string[]): Promise<void> {
  const { dropEntries, staleFromAccounts } = await import('./token-cache.js');
  try {
    dropEntries(ctx.deps.env, ctx.deps.configDir, staleFromAccounts(accountNames));
  } catch {
    // A bad AMZ_TOKEN_CACHE: no runtime cache was in use.
  }
}

async function isDuplicateEntries(error: unknown): Promise<boolean> {
  const { DuplicateEntriesError } = await import('./keychain.js');
  return error instanceof DuplicateEntriesError;
}
