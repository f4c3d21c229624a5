// Getting an access token through the shared runtime cache (token-cache.ts): the entry while it
// has enough time left, else one refresh under the entry's lock, so that processes asking at once
// make one LWA call between them and the others read what it wrote.

import { join } from 'node:path';
import type { Deps } from '../deps.js';
import { ExitCode } from '../errors.js';
import { deleteEntry, dropOthersOfGroup, ensureCacheFolder, fresh, readEntry, realConfigDir, runtimeCacheDir, writeEntry, type CachedToken, type EntryKey } from './token-cache.js';

/** How long a process waits for another one's refresh (LWA with its retries takes up to about 50 s), before asking LWA itself. */
const REFRESH_WAIT_MS = 90_000;

export interface SharedTokenOptions {
  marginMs: number;
  /** Ask LWA whatever the entry holds; the answer replaces it. */
  bypassCache?: boolean;
  warn: (line: string) => void;
  /** What an entry is for, in warnings: "access token", "grantless token". */
  what: string;
}

/**
 * The token through the runtime cache; undefined when tokens are cached in the secret store
 * (AMZ_TOKEN_CACHE=store, no XDG_RUNTIME_DIR) or the folder cannot be made private (with a
 * warning): the caller then uses the store, as before.
 */
export async function throughRuntimeCache(deps: Deps, keyOf: (realConfigDir: string) => EntryKey, opts: SharedTokenOptions, ask: () => Promise<CachedToken>): Promise<CachedToken | undefined> {
  const dir = runtimeCacheDir(deps.env);
  if (!dir) return undefined;
  const folder = ensureCacheFolder(dir);
  if (!folder.ok) {
    opts.warn(`warning: ${folder.reason}; caching the ${opts.what} in the secret store instead`);
    return undefined;
  }
  const key = keyOf(realConfigDir(deps.configDir));
  const cached = () => {
    const entry = opts.bypassCache ? undefined : readEntry(dir, key);
    return fresh(entry, deps.now(), opts.marginMs) ? entry : undefined;
  };
  const hit = cached();
  if (hit) return hit;

  const refresh = async (): Promise<CachedToken> => {
    // Another process may have refreshed while this one waited for the lock.
    const meanwhile = cached();
    if (meanwhile) return meanwhile;
    let token: CachedToken;
    try {
      token = await ask();
    } catch (error) {
      // Amazon refused the refresh token (revoked, expired): the entry of that authorization must not be handed out again.
      if ((error as { exitCode?: number }).exitCode === ExitCode.EXPIRED) deleteEntry(dir, key);
      throw error;
    }
    try {
      writeEntry(dir, key, token);
      dropOthersOfGroup(dir, key);
    } catch (error) {
      // The token is good; failing to keep it only costs an LWA call next time.
      opts.warn(`warning: could not cache the ${opts.what} in ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return token;
  };
  const { withFileLock } = await import('../config/atomic-file.js');
  let locked = false;
  try {
    return await withFileLock(join(dir, key.file), () => ((locked = true), refresh()), REFRESH_WAIT_MS);
  } catch (error) {
    if (locked) throw error;
    // No lock to be had: a holder that takes longer than any LWA answer (stopped, say), or a folder
    // that takes no new file. Ask without it rather than fail the job.
    return refresh();
  }
}
