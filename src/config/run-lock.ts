// One long-running operation of a kind at a time, per config folder: a second one is refused at
// once (not queued for minutes) through a lock file beside config.json. Used by request/renew
// (one browser flow per profile) and by secret rotation (one rotation per app).

import { join } from 'node:path';
import { StoreUnavailableError } from '../errors.js';

/**
 * Runs `fn` holding `<configDir>/<name>.lock`. When another live process holds it, throws what
 * `busy` makes of the holder's pid (0 when unknown) and the lock file's path.
 */
export async function withRunLock<T>(configDir: string, name: string, busy: (pid: number, lockFile: string) => Error, fn: () => Promise<T>): Promise<T> {
  const { ensurePrivateDir, tryFileLock } = await import('./atomic-file.js');
  try {
    await ensurePrivateDir(configDir);
  } catch (error) {
    throw new StoreUnavailableError(`cannot create the config folder ${configDir} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const file = join(configDir, name);
  let lock: Awaited<ReturnType<typeof tryFileLock>>;
  try {
    lock = await tryFileLock(file);
  } catch (error) {
    // EROFS, ENOSPC, EACCES: the folder cannot take the lock file, and nothing was left behind.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StoreUnavailableError(
      `cannot write the lock file ${file}.lock (${code}); nothing was changed`,
      code === 'ENOSPC' ? 'free some disk space and retry' : 'make the config folder writable, or set AMZ_TOKEN_CONFIG_DIR',
    );
  }
  if ('heldBy' in lock) throw busy(lock.heldBy, lock.lockFile);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
