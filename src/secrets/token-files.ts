// The shared access-token cache's files (see token-cache.ts for what is cached and keyed how):
// the private folder, and entries read only when they are the user's own and nobody else's,
// written whole (a new file renamed over the old), dropped by group. Synchronous node:fs only:
// the fast path in bin/amz-token.js reads entries before any bundle loads.

import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, chmodSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface CachedToken {
  accessToken: string;
  expiresAt: Date;
}

/**
 * An entry's place: `file` in the cache folder, named by two hashes: of the group (config folder
 * and profile, or config folder and app: what invalidation drops) and of the whole identity.
 * The identity itself is written into the file and compared in full on every read, so a hash
 * collision can never serve another entry.
 */
export interface EntryKey {
  file: string;
  group: string;
  identity: string;
}

/** A cache file bigger than this is not one of ours. */
const MAX_ENTRY_BYTES = 16 * 1024;

/** This process's uid; undefined where Node has none (Windows, which has no XDG_RUNTIME_DIR either). */
function uid(): number | undefined {
  return process.getuid?.();
}

export type FolderState = 'private' | 'missing' | 'untrusted';

/**
 * Whether the cache folder can be trusted as it is: a real folder (not a link), the user's own,
 * open to nobody else. Read-only: the fast path uses this, and leaves any repair to the full path.
 */
export function folderState(dir: string): FolderState {
  try {
    const info = lstatSync(dir);
    return info.isDirectory() && info.uid === uid() && (info.mode & 0o077) === 0 ? 'private' : 'untrusted';
  } catch {
    return 'missing';
  }
}

/**
 * Makes the folder private, or says why it cannot: creates it 0700, takes a loose mode of the
 * user's own folder back to 0700, and replaces anything else in its place (a link, a file).
 * A folder of another user cannot be repaired: the reason comes back, and the caller uses the store.
 */
export function ensureCacheFolder(dir: string): { ok: true } | { ok: false; reason: string } {
  try {
    mkdirSync(dir, { mode: 0o700 });
    return { ok: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: false, reason: `cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? error})` };
  }
  let info;
  try {
    info = lstatSync(dir);
  } catch (error) {
    return { ok: false, reason: `cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? error})` };
  }
  if (info.isDirectory() && info.uid === uid()) {
    if ((info.mode & 0o077) !== 0) {
      // Files in it are checked one by one (ours, 0600), so tightening the folder is enough.
      try {
        chmodSync(dir, 0o700);
      } catch (error) {
        return { ok: false, reason: `cannot make ${dir} private (${(error as NodeJS.ErrnoException).code ?? error})` };
      }
    }
    return { ok: true };
  }
  if (!info.isDirectory()) {
    // A link or a file where the folder belongs: not ours to follow. Replace it with a private folder.
    try {
      unlinkSync(dir);
      mkdirSync(dir, { mode: 0o700 });
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `${dir} is not a folder and cannot be replaced (${(error as NodeJS.ErrnoException).code ?? error})` };
    }
  }
  return { ok: false, reason: `${dir} belongs to another user (uid ${info.uid})` };
}

/**
 * The entry's token, or undefined: missing, unreadable, not the user's own, readable by others,
 * a link, too big, not our format, or written for another identity. Never throws.
 */
export function readEntry(dir: string, key: EntryKey): CachedToken | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, key.file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    // fstat of the open file, not a stat of the name: what is checked is what is read.
    const info = fstatSync(fd);
    if (!info.isFile() || info.uid !== uid() || (info.mode & 0o077) !== 0 || info.size > MAX_ENTRY_BYTES) return undefined;
    const value = JSON.parse(readFileSync(fd, 'utf8')) as { identity?: unknown; accessToken?: unknown; expiresAt?: unknown };
    if (value.identity !== key.identity || typeof value.accessToken !== 'string' || !value.accessToken.startsWith('Atza|') || typeof value.expiresAt !== 'string') return undefined;
    const expiresAt = new Date(value.expiresAt);
    return Number.isNaN(expiresAt.getTime()) ? undefined : { accessToken: value.accessToken, expiresAt };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the entry whole: a new 0600 file, then a rename over the old name, so a reader sees the
 * old entry or the new one, and whatever stood there before (another user's file, a link) is replaced.
 */
export function writeEntry(dir: string, key: EntryKey, token: CachedToken): void {
  const tmp = join(dir, `.${key.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, JSON.stringify({ identity: key.identity, accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString() }) + '\n');
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already.
    }
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, join(dir, key.file));
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already.
    }
    throw error;
  }
}

/** Deletes one entry (LWA refused its refresh token); no error when it is not there. */
export function deleteEntry(dir: string, key: EntryKey): void {
  try {
    unlinkSync(join(dir, key.file));
  } catch {
    // Not there, or the folder is gone: nothing to serve either way.
  }
}

/** Deletes every entry of these groups (the lock files of refreshes under way stay with their holders). */
export function dropGroups(dir: string, groups: readonly string[]): void {
  if (groups.length) dropEntries(dir, (name) => groups.some((group) => name.startsWith(`${group}-`)));
}

/**
 * Deletes the group's other entries (the same profile or app under an identity no longer current:
 * an older record, another store): written once per refresh, so the folder never grows.
 */
export function dropOthersOfGroup(dir: string, key: EntryKey): void {
  dropEntries(dir, (name) => name !== key.file && name.startsWith(`${key.group}-`));
}

/** Deletes the entries (*.json) whose names `matches` picks; a folder or file already gone is no error. */
function dropEntries(dir: string, matches: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith('.json') || !matches(name)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

