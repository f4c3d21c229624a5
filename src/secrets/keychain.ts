// The OS keychain store: @napi-rs/keyring, pinned to the Secret Service on
// Linux, and what to do when another tool wrote a second entry for an account.

import { StoreUnavailableError } from '../errors.js';
import { SERVICE } from './accounts.js';
import type { SecretStore } from './secret-store.js';

const KEYCHAIN_HINT =
  'start and unlock a Secret Service (gnome-keyring, KeePassXC) on the D-Bus session bus, ' +
  'or choose another store (AMZ_TOKEN_STORE=file, or helper:<name>; see amz-token store show)';

// A locked keyring may show an unlock prompt; nobody answers it in a cron job.
const KEYCHAIN_TIMEOUT_MS = 20_000;

// @napi-rs/keyring's words (and then Rust debug text) when several items carry
// our service and account: python-keyring, secret-tool and others add their own.
const AMBIGUOUS = /matched by (\d+) credentials/;

export async function openKeychain(): Promise<SecretStore> {
  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = await import('@napi-rs/keyring');
  } catch (error) {
    throw new StoreUnavailableError(`the keychain binding could not be loaded (${oneLine(error)})`, KEYCHAIN_HINT);
  }
  // Unpinned, the Linux backend falls back silently to the kernel keyring,
  // which forgets everything at reboot. Pinned, a missing Secret Service throws.
  const entry = (account: string) => new keyring.AsyncEntry(SERVICE, account, { linux: { store: 'secret-service' } });
  const guard = async <T>(what: string, account: string | undefined, op: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await op(AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
    } catch (error) {
      const duplicates = AMBIGUOUS.exec(oneLine(error));
      if (duplicates && account) throw new DuplicateEntriesError(account, Number(duplicates[1]));
      throw new StoreUnavailableError(`the keychain is unavailable: cannot ${what} (${oneLine(error)})`, KEYCHAIN_HINT);
    }
  };
  const allCredentials = () => guard('list its entries', undefined, (signal) => keyring.findCredentialsAsync(SERVICE, null, signal));

  return {
    description: 'the Secret Service keychain',
    async get(account) {
      try {
        return await guard('read a secret', account, (signal) => entry(account).getPassword(signal));
      } catch (error) {
        if (!(error instanceof DuplicateEntriesError)) throw error;
        // Two entries holding the same secret are no ambiguity: hand it out.
        const values = new Set((await allCredentials()).filter((found) => found.account === account).map((found) => found.password));
        if (values.size === 1) return [...values][0]!;
        throw error;
      }
    },
    set: (account, value) => guard('store a secret', account, (signal) => entry(account).setPassword(value, signal)),
    async delete(account) {
      try {
        await guard('delete a secret', account, (signal) => entry(account).deleteCredential(signal));
      } catch (error) {
        if (!(error instanceof DuplicateEntriesError)) throw error;
        // Deleting is what the operator asked for, so every entry for the account goes.
        await clearAllEntries(account);
        if ((await guard('read a secret', account, (signal) => entry(account).getPassword(signal))) !== null) throw error;
      }
    },
    async list() {
      return [...new Set((await allCredentials()).map((found) => found.account))].sort();
    },
  };
}

/** Several keychain entries for one account, holding different secrets: amz-token cannot tell which is its own. */
export class DuplicateEntriesError extends StoreUnavailableError {
  constructor(account: string, count: number) {
    super(
      `the keychain holds ${count} different entries for ${account}: another tool (such as python-keyring) wrote one; amz-token's is labelled "keyring:${account}@${SERVICE}"`,
      `see them: secret-tool search --all service ${SERVICE} username ${account}; delete the other tool's entry in Seahorse, or all of them with secret-tool clear service ${SERVICE} username ${account} and store the secret again`,
    );
  }
}

/**
 * @napi-rs/keyring cannot address one of several matching items, so removal
 * asks libsecret's own CLI (Debian: libsecret-tools) to delete them all.
 */
async function clearAllEntries(account: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  const hint = 'install secret-tool (Debian: libsecret-tools) and run this again, or delete the entries in Seahorse';
  await new Promise<void>((resolve, reject) => {
    execFile('secret-tool', ['clear', 'service', SERVICE, 'username', account], { timeout: KEYCHAIN_TIMEOUT_MS }, (error) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new StoreUnavailableError(
          code === 'ENOENT'
            ? `the keychain holds several entries for ${account}, and secret-tool, which can delete them, is not on PATH`
            : `secret-tool could not delete the entries for ${account} (${oneLine(error)})`,
          hint,
        ),
      );
    });
  });
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
