// Crash-safe file writes and a cross-process lock for read-modify-write cycles.
// Shared by the config file and the optional file secret store.

import { open, rename, unlink, readFile, mkdir, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Writes via a temporary file in the same folder, fsync, then rename: readers see old or new, never half. */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Creates the folder (and missing parents) 0700. An existing folder is left as
 * it is: it may be shared (AMZ_TOKEN_SECRETS_FILE=/tmp/x once made /tmp 0700),
 * and the files inside are 0600 anyway.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

const LOCK_WAIT_MS = 15_000;

/**
 * Runs fn while holding `${file}.lock` (O_EXCL). A lock whose owner process is
 * gone is taken over, so a crashed command never blocks the next one forever.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let attempt = 0; !(await acquire(lock)); attempt++) {
    if (Date.now() - started > waitMs) {
      throw Object.assign(new Error(`${lock} is held by another amz-token process`), { code: 'ELOCKED' });
    }
    // Short, jittered waits: holders keep the lock for milliseconds.
    await sleep(5 + Math.random() * Math.min(5 * 2 ** Math.min(attempt, 4), 50));
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

/**
 * Takes `${file}.lock` without waiting: for long operations (a browser flow)
 * where a second command should be told at once rather than queue for minutes.
 */
export async function tryFileLock(file: string): Promise<{ release(): Promise<void> } | { heldBy: number }> {
  const lock = `${file}.lock`;
  if (await acquire(lock)) return { release: () => unlink(lock).catch(() => {}) };
  return { heldBy: Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10) || 0 };
}

/** One try at the lock file, taking over a stale one; false while a live process holds it. */
async function acquire(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await lockIsStale(lock))) return false;
      await unlink(lock).catch(() => {});
    }
  }
  return false;
}

async function lockIsStale(lock: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    // Empty: a holder between open() and write(), or one that died right there.
    const info = await stat(lock).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 5_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
