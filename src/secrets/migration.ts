// Moving every secret of a config.json from one store to another (`store
// migrate`) without losing any: read all, write and read back each, then
// record the new store, then erase the old entries. Until the new store is
// recorded, any failure or interrupt erases what was written and leaves the
// old store and config.json as they were.
//
// Only this config's accounts move: the keychain (and a helper's store) may
// also hold the entries of another config folder (AMZ_TOKEN_CONFIG_DIR), whose
// config.json still points there.

import { StoreUnavailableError } from '../errors.js';
import type { SecretStore } from './secret-store.js';

export interface Migration {
  from: SecretStore;
  to: SecretStore;
  /** The accounts config.json says hold a secret (client secrets, refresh tokens): reported when missing. */
  expected: readonly string[];
  /** Accounts that hold a secret only sometimes (cached access tokens): moved when there. */
  cached: readonly string[];
  /**
   * One entry per store that other config folders on the old store may use too (serve's signing
   * key, the SMTP password): copied when there, never erased from the old store.
   */
  shared?: readonly string[];
  /** Step 3: writes config.json's "store". If it fails, the new store is rolled back too. */
  recordNewStore: () => Promise<void>;
  /** The signal that asked to stop (SIGINT, SIGTERM), if one did; looked at between steps. */
  interrupted: () => string | undefined;
  /** Told when the point of no return is passed: from then on, a signal no longer stops anything. */
  committed?: () => void;
}

export interface MigrationResult {
  /** Written to the new store and read back equal. */
  moved: string[];
  /** Already in the new store with the same value: nothing written. */
  alreadyThere: string[];
  /** Of the moved or already there, those shared with other config folders: left in the old store too. */
  keptInOldStore: string[];
  /** Expected by config.json but in neither store. */
  notStored: string[];
  /** Still in the old store after the switch (could not be erased, or changed meanwhile), with why. */
  leftInOldStore: { account: string; reason: string }[];
}

export interface MigrationPlan {
  /** In the old store: these would move. */
  move: string[];
  /** Of those, the new store lists an entry already; migrate compares the values. */
  inNewStoreToo: string[];
  notStored: string[];
}

/** What `--dry-run` reports: names only, from each store's list. Proves both stores answer. */
export async function planMigration(m: Pick<Migration, 'from' | 'to' | 'expected' | 'cached' | 'shared'>): Promise<MigrationPlan> {
  const held = new Set(await m.from.list());
  const inTarget = new Set(await m.to.list());
  const move = [...m.expected, ...m.cached, ...(m.shared ?? [])].filter((account) => held.has(account)).sort();
  return {
    move,
    inNewStoreToo: move.filter((account) => inTarget.has(account)),
    notStored: m.expected.filter((account) => !held.has(account)),
  };
}

export async function migrate(m: Migration): Promise<MigrationResult> {
  const stopIfInterrupted = () => {
    const signal = m.interrupted();
    if (signal) throw new StoreUnavailableError(`${signal} received: migration stopped`);
  };

  const written: string[] = [];
  const rollBack = async (error: unknown): Promise<never> => {
    const failedToErase: string[] = [];
    for (const account of [...written].reverse()) {
      await m.to.delete(account).catch(() => failedToErase.push(account));
    }
    if (!(error instanceof StoreUnavailableError)) throw error;
    const cleanup =
      written.length === 0
        ? '; nothing was changed'
        : failedToErase.length
          ? `; could not erase ${failedToErase.join(', ')} from ${m.to.description} again: erase them by hand. The old store and config.json are unchanged`
          : `; erased what it had written to ${m.to.description}. The old store and config.json are unchanged`;
    throw new StoreUnavailableError(`${error.message}${cleanup}`, error.hint);
  };

  const secrets = new Map<string, string>();
  const notStored: string[] = [];
  const alreadyThere: string[] = [];
  try {
    // 1. Read everything first: anything unreadable stops here, before a single write.
    const expected = new Set(m.expected);
    for (const account of [...new Set([...m.expected, ...m.cached, ...(m.shared ?? [])])].sort()) {
      stopIfInterrupted();
      const value = await m.from.get(account);
      if (value !== null) secrets.set(account, value);
      else if (expected.has(account)) notStored.push(account);
    }

    // 2. Listing the new store proves it answers before anything is written. An entry it holds
    //    already is kept if equal, and stops the migration if different: it may be a teammate's
    //    newer token, and overwriting it (or erasing it on rollback) would lose it.
    stopIfInterrupted();
    const inTarget = new Set(await m.to.list());
    const conflicts: string[] = [];
    for (const [account, value] of secrets) {
      if (!inTarget.has(account)) continue;
      stopIfInterrupted();
      const current = await m.to.get(account);
      if (current === value) alreadyThere.push(account);
      else if (current !== null) conflicts.push(account);
    }
    if (conflicts.length) {
      throw new StoreUnavailableError(
        `${m.to.description} already holds a different secret for ${conflicts.join(', ')}`,
        'someone may have moved newer secrets there already: compare, then erase the entry you do not want from one of the stores',
      );
    }

    for (const [account, value] of secrets) {
      if (alreadyThere.includes(account)) continue;
      stopIfInterrupted();
      // Recorded before the write: a write that fails half-way is erased too (erasing nothing is no error).
      written.push(account);
      await m.to.set(account, value);
      const readBack = await m.to.get(account);
      if (readBack !== value) {
        throw new StoreUnavailableError(`${m.to.description} did not return ${account} as written (${readBack === null ? 'nothing stored' : 'a different value'})`);
      }
    }
    stopIfInterrupted();
    // 3. Every secret is confirmed in the new store: record it. Once written, the new store is
    //    the one in use, so nothing below may undo it.
    await m.recordNewStore();
  } catch (error) {
    return rollBack(error);
  }
  m.committed?.();

  const leftInOldStore: MigrationResult['leftInOldStore'] = [];
  const shared = new Set(m.shared);
  for (const [account, value] of secrets) {
    // Another config folder on the old store may sign its links (or send its mail) with it.
    if (shared.has(account)) continue;
    try {
      // A command that ran meanwhile may have stored a newer secret there: keep it for the operator to look at.
      if ((await m.from.get(account)) !== value) {
        leftInOldStore.push({ account, reason: 'it changed during the migration' });
        continue;
      }
      await m.from.delete(account);
    } catch (error) {
      leftInOldStore.push({ account, reason: (error as Error).message });
    }
  }
  return {
    moved: [...secrets.keys()].filter((account) => !alreadyThere.includes(account)),
    alreadyThere,
    keptInOldStore: [...secrets.keys()].filter((account) => shared.has(account)),
    notStored,
    leftInOldStore,
  };
}
