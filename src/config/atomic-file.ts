// Crash-safe file writes and a cross-process lock for read-modify-write cycles.
// Shared by the config file and the optional file secret store.

import { open, rename, unlink, readFile, mkdir, link, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
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

/** writeFileAtomic's writes without the rename: proves the folder takes the file (space, permissions), then removes it. */
export async function probeWrite(file: string, data: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
    await unlink(tmp).catch(() => {});
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
export async function tryFileLock(file: string): Promise<{ release(): Promise<void> } | { heldBy: number; lockFile: string }> {
  const lock = `${file}.lock`;
  if (await acquire(lock)) return { release: () => unlink(lock).catch(() => {}) };
  return { heldBy: parseOwner(await readFile(lock, 'utf8').catch(() => ''))?.pid ?? 0, lockFile: lock };
}

/**
 * Who holds a lock: the pid and, where the system tells it (Linux), when that
 * process started. A pid alone is not enough: after a reboot, in a container
 * (pid 1 is always alive) or once pids wrap, another process can carry it.
 */
interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat's start time (clock ticks since boot); absent where unknown. */
  started?: string;
}

function currentOwner(): string {
  const started = processStart(process.pid);
  return JSON.stringify({ pid: process.pid, ...(started ? { started } : {}) });
}

/** The lock file's text: our JSON, or a bare pid as older versions wrote it. */
function parseOwner(text: string): LockOwner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as { pid?: unknown; started?: unknown };
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return { pid: value.pid, ...(typeof value.started === 'string' ? { started: value.started } : {}) };
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat; undefined without /proc (macOS) or when the process is gone. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** One try at the lock file, taking over a stale one; false while a live process holds it. */
async function acquire(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await createWithContent(lock, currentOwner());
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await lockIsStale(lock))) return false;
      await unlink(lock).catch(() => {});
    }
  }
  return false;
}

/**
 * Creates `lock` holding `text`, or nothing at all: the text goes to a file of
 * its own, which is then linked to the lock's name (EEXIST if taken). So a lock
 * file is never seen empty, and a full disk (ENOSPC) or a read-only folder
 * (EROFS) leaves nothing behind. Where links are not supported, O_EXCL and a
 * write, removing the file again if the write fails.
 */
async function createWithContent(lock: string, text: string): Promise<void> {
  const tmp = `${lock}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o600 });
    await link(tmp, lock);
    return;
  } catch (error) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  const handle = await open(lock, 'wx', 0o600);
  try {
    await handle.writeFile(text);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(lock).catch(() => {});
    throw error;
  }
  await handle.close();
}

/** A lock nobody can hold: an empty or unreadable file (no holder ever leaves one), a gone process, or a reused pid. */
async function lockIsStale(lock: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch (error) {
    // Gone: released meanwhile, and maybe taken by another process already; the next try tells.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    text = '';
  }
  const owner = parseOwner(text);
  if (!owner) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Alive: but is it the process that took the lock? Another one started at another time.
  const started = owner.started === undefined ? undefined : processStart(owner.pid);
  return started !== undefined && started !== owner.started;
}
