// One browser flow per profile at a time: a second request/renew of the same
// profile is refused at once (exit 6) rather than queued for minutes.

import { join } from 'node:path';
import type { Deps } from '../deps.js';
import { FlowError, StoreUnavailableError } from '../errors.js';

export async function withProfileFlowLock<T>(deps: Pick<Deps, 'configDir'>, profile: string, fn: () => Promise<T>): Promise<T> {
  const { ensurePrivateDir, tryFileLock } = await import('../config/atomic-file.js');
  try {
    await ensurePrivateDir(deps.configDir);
  } catch (error) {
    throw new StoreUnavailableError(`cannot create the config folder ${deps.configDir} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const file = join(deps.configDir, `flow-${profile}`);
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
  if ('heldBy' in lock) {
    throw new FlowError(
      `another amz-token request or renew for profile "${profile}" is running${lock.heldBy ? ` (pid ${lock.heldBy})` : ''}; its lock is ${lock.lockFile}`,
      'let it finish, or stop it, then run this again; if no amz-token is running, delete that file',
    );
  }
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
