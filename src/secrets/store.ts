// Where secrets live: the OS keychain through @napi-rs/keyring (pinned to the
// Secret Service on Linux), or, only when AMZ_TOKEN_STORE=file says so, a
// 0600 JSON file outside the config folder.

import { readFile, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreUnavailableError, UsageError, AmzTokenError } from '../errors.js';
import { ensurePrivateDir, withFileLock, writeFileAtomic } from '../config/atomic-file.js';
import { SERVICE } from './accounts.js';


export interface SecretStore {
  /** For messages: "the Secret Service keychain" or the file's path. */
  readonly description: string;
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** Resolves false when there was nothing to delete. */
  delete(account: string): Promise<boolean>;
}

const KEYCHAIN_HINT =
  'start and unlock a Secret Service (gnome-keyring, KeePassXC) on the D-Bus session bus, ' +
  'or set AMZ_TOKEN_STORE=file to keep secrets in a 0600 file instead';

// A locked keyring may show an unlock prompt; nobody answers it in a cron job.
const KEYCHAIN_TIMEOUT_MS = 20_000;

/** `home`: the user's home folder, for the file store's default path. */
export async function openSecretStore(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  warn: (line: string) => void,
): Promise<SecretStore> {
  const kind = env.AMZ_TOKEN_STORE ?? 'keychain';
  if (kind === 'file') {
    const file = env.AMZ_TOKEN_SECRETS_FILE || join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'amz-token', 'secrets.json');
    warn(`warning: AMZ_TOKEN_STORE=file: secrets are kept in ${file}, protected only by file permissions`);
    return new FileSecretStore(file);
  }
  if (kind !== 'keychain') throw new UsageError(`AMZ_TOKEN_STORE must be "keychain" or "file", got "${kind}"`);
  return openKeychain();
}

async function openKeychain(): Promise<SecretStore> {
  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = await import('@napi-rs/keyring');
  } catch (error) {
    throw new StoreUnavailableError(`the keychain binding could not be loaded (${(error as Error).message})`, KEYCHAIN_HINT);
  }
  // Unpinned, the Linux backend falls back silently to the kernel keyring,
  // which forgets everything at reboot. Pinned, a missing Secret Service throws.
  const entry = (account: string) => new keyring.AsyncEntry(SERVICE, account, { linux: { store: 'secret-service' } });
  const guard = async <T>(what: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await op(AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
    } catch (error) {
      throw new StoreUnavailableError(`the keychain is unavailable: cannot ${what} (${oneLine(error)})`, KEYCHAIN_HINT);
    }
  };
  return {
    description: 'the Secret Service keychain',
    get: (account) => guard('read a secret', (signal) => entry(account).getPassword(signal)),
    set: (account, value) => guard('store a secret', (signal) => entry(account).setPassword(value, signal)),
    delete: (account) => guard('delete a secret', (signal) => entry(account).deleteCredential(signal)),
  };
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

/** The opt-in file store: one JSON object of account -> secret, 0600, atomic writes. */
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

  async delete(account: string): Promise<boolean> {
    let existed = false;
    await this.change((all) => {
      existed = account in all;
      delete all[account];
    });
    return existed;
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
        await writeFileAtomic(this.file, JSON.stringify(all, null, 2) + '\n');
      });
    } catch (error) {
      if (error instanceof AmzTokenError) throw error;
      throw new StoreUnavailableError(`cannot write ${this.file} (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`);
    }
  }
}
