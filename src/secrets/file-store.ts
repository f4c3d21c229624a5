// The opt-in file store: one JSON object of account -> secret in a 0600 file
// outside the config folder, written atomically under a lock.

import { readFile, lstat, realpath, unlink, chmod } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { StoreUnavailableError, UsageError, AmzTokenError } from '../errors.js';
import { ensurePrivateDir, withFileLock, writeFileAtomic } from '../config/atomic-file.js';
import { configFile } from '../config/config.js';
import type { SecretStore, StoreOptions } from './secret-store.js';

/** $AMZ_TOKEN_SECRETS_FILE, else secrets.json in the data folder ($XDG_DATA_HOME/amz-token, else ~/.local/share/amz-token). */
export function secretsFileOf(env: Readonly<Record<string, string | undefined>>, dataDir: string): string {
  return env.AMZ_TOKEN_SECRETS_FILE || join(dataDir, 'secrets.json');
}

/**
 * Opens the file store, refusing a file inside the config folder: that folder
 * is what a team commits and shares, and as config.json itself every config
 * write would replace the secrets (and a secret write the config).
 */
export async function openFileStore(
  { env, configDir, dataDir, warn }: Pick<StoreOptions, 'env' | 'configDir' | 'dataDir' | 'warn'>,
): Promise<SecretStore> {
  const file = resolve(secretsFileOf(env, dataDir));
  const [canonicalFile, canonicalDir] = await Promise.all([canonical(file), canonical(resolve(configDir))]);
  if (canonicalFile === canonicalDir || canonicalFile.startsWith(canonicalDir + sep)) {
    const what = canonicalFile === (await canonical(configFile(resolve(configDir)))) ? 'is config.json itself' : `is inside the config folder ${configDir}`;
    throw new UsageError(
      `the secrets file ${file} ${what}: config writes would replace the secrets, and a team that shares the folder would share them in plain text`,
      'set AMZ_TOKEN_SECRETS_FILE to a path outside the config folder, or leave it unset (default: $XDG_DATA_HOME/amz-token/secrets.json)',
    );
  }
  // No warning here about keeping secrets in a file: it is said where the store is chosen and in
  // `store show` (store.ts, storeWarning), not on every run, where cron would mail it daily.
  await tightenMode(file, warn);
  return new FileSecretStore(file);
}

/** As config.json, and more so: a secrets file others can read (or write) is warned about and set to 600. */
async function tightenMode(file: string, warn: (line: string) => void): Promise<void> {
  const info = await lstat(file).catch(() => undefined);
  if (!info?.isFile() || (info.mode & 0o077) === 0 || info.uid !== process.getuid?.()) return;
  warn(`warning: ${file} was readable by others (mode ${(info.mode & 0o777).toString(8)}); set it to 600`);
  try {
    await chmod(file, 0o600);
  } catch (error) {
    throw new StoreUnavailableError(
      `${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}) and cannot be set to 600 (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`,
      `run chmod 600 ${file}, and consider every secret in it exposed`,
    );
  }
}

/** The path with symlinks resolved as far as it exists, so a link cannot sneak the file into the config folder. */
async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await canonical(parent), basename(path));
  }
}

class FileSecretStore implements SecretStore {
  constructor(private readonly file: string) {}

  get description(): string {
    return this.file;
  }

  async get(account: string): Promise<string | null> {
    const all = await this.readAll();
    return all[account] ?? null;
  }

  async set(account: string, value: string): Promise<void> {
    await this.change((all) => {
      all[account] = value;
    });
  }

  /** The file goes with its last entry: after a migration away from it, no secrets file is left behind. */
  async delete(account: string): Promise<void> {
    await this.change((all) => {
      delete all[account];
    });
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.readAll()).sort();
  }

  private async readAll(): Promise<Record<string, string>> {
    let text: string;
    try {
      const info = await lstat(this.file);
      if (!info.isFile()) throw new StoreUnavailableError(`${this.file} is not a regular file`);
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (error instanceof AmzTokenError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new StoreUnavailableError(`cannot read ${this.file} (${(error as NodeJS.ErrnoException).code})`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      if (Object.values(parsed).some((value) => typeof value !== 'string')) throw new Error('not all strings');
      return parsed as Record<string, string>;
    } catch {
      throw new StoreUnavailableError(`${this.file} is not a valid secrets file; amz-token will not overwrite it`);
    }
  }

  private async change(mutate: (all: Record<string, string>) => void): Promise<void> {
    try {
      await ensurePrivateDir(dirname(this.file));
      await withFileLock(this.file, async () => {
        const all = await this.readAll();
        mutate(all);
        if (Object.keys(all).length > 0) await writeFileAtomic(this.file, JSON.stringify(all, null, 2) + '\n');
        else await unlink(this.file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
      });
    } catch (error) {
      if (error instanceof AmzTokenError) throw error;
      throw new StoreUnavailableError(`cannot write ${this.file} (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`);
    }
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
