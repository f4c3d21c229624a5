// The OS keychain store: @napi-rs/keyring, pinned to the Secret Service on
// Linux, and what to do when another tool wrote a second entry for an account.
//
// A locked keyring (measured with gnome-keyring 42 and gcr-prompter on Debian 12,
// @napi-rs/keyring 1.x; test/e2e/locked-keyring.test.ts):
// - Every read of a locked item asks the Secret Service to unlock, which shows a
//   prompt (gcr-prompter). With no display, one prompt at a time is dismissed
//   at once; several at once (one process's parallel reads, or parallel
//   processes) leave gnome-keyring waiting on prompts that never end: the calls
//   hang, and so does every other client of the keyring (secret-tool lookup)
//   until the daemon restarts.
// - A call that hangs cannot be stopped. The AbortSignal of AsyncEntry only
//   cancels a call not yet started; a running one blocks a libuv pool thread,
//   and then process.exit() blocks too (libuv joins its threads at exit). A
//   worker thread does not help: exit joins it the same way. Only a child
//   process could be abandoned, and one costs ~200 ms per run on a busy machine.
// So: (1) before the first call, ask D-Bus whether the default collection is
// Locked (one D-Bus call, Properties.GetAll, dbus-locked.ts, given up at the timeout); locked with nobody to answer
// a prompt (--no-input, or no display) is exit 8 at once, and no prompt is ever
// started. (2) Calls in one process go one at a time, so it never shows two
// prompts. (3) Each call has a timeout (AMZ_TOKEN_STORE_TIMEOUT_MS) after which
// the command gets exit 8; an abandoned call may still delay the exit until its
// prompt is answered or dismissed.

import { StoreUnavailableError } from '../errors.js';
import { SERVICE } from './accounts.js';
import type { SecretStore, StoreOptions } from './secret-store.js';

const KEYCHAIN_HINT =
  'start and unlock a Secret Service (gnome-keyring, KeePassXC) on the D-Bus session bus, ' +
  'or choose another store: on a server without a desktop session, `amz-token config set store file` ' +
  '(AMZ_TOKEN_STORE=file for one run), or helper:<name>; see amz-token store show';

/** Per call, unless AMZ_TOKEN_STORE_TIMEOUT_MS says otherwise: an unlock prompt may be waiting for a person. */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 20_000;

const LOCKED_HINT =
  'unlock it: in the desktop session run `secret-tool search --unlock service amz-token` (or open Seahorse); ' +
  'on a server without one, `gnome-keyring-daemon --replace --unlock` reads the password on stdin; ' +
  'or choose another store: `amz-token config set store file` (AMZ_TOKEN_STORE=file for one run), or helper:pass';

export interface KeychainOptions extends Pick<StoreOptions, 'env' | 'prompt'> {
  /** Per call, including the wait behind earlier calls of this process. */
  timeoutMs: number;
}

// @napi-rs/keyring's words (and then Rust debug text) when several items carry
// our service and account: python-keyring, secret-tool and others add their own.
const AMBIGUOUS = /matched by (\d+) credentials/;

export async function openKeychain(options: KeychainOptions): Promise<SecretStore> {
  const { timeoutMs } = options;
  if (process.platform === 'linux') await refuseLockedKeyring(options);
  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = await import('@napi-rs/keyring');
  } catch (error) {
    throw new StoreUnavailableError(`the keychain binding could not be loaded (${oneLine(error)})`, KEYCHAIN_HINT);
  }
  // Unpinned, the Linux backend falls back silently to the kernel keyring,
  // which forgets everything at reboot. Pinned, a missing Secret Service throws.
  const entry = (account: string) => new keyring.AsyncEntry(SERVICE, account, { linux: { store: 'secret-service' } });
  // One call at a time in this process: two unlock prompts at once wedge gnome-keyring.
  let queue: Promise<unknown> = Promise.resolve();
  const guard = async <T>(what: string, account: string | undefined, op: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = AbortSignal.timeout(timeoutMs);
    const call = queue.then(() => op(signal));
    queue = call.catch(() => {});
    try {
      return await withTimeout(call, timeoutMs, what);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
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
    execFile('secret-tool', ['clear', 'service', SERVICE, 'username', account], { timeout: DEFAULT_KEYCHAIN_TIMEOUT_MS }, (error) => {
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

/** Rejects with exit 8 once `ms` have passed; the call itself cannot be stopped (see the top of this file). */
function withTimeout<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoreUnavailableError(
            `the keychain did not answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}: cannot ${what}`,
            `it may be locked and waiting for someone to unlock it; ${LOCKED_HINT}; or raise AMZ_TOKEN_STORE_TIMEOUT_MS`,
          ),
        ),
      ms,
    );
    timer.unref();
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/**
 * Exit 8 before any keychain call when the default collection is locked and
 * nobody can answer an unlock prompt: with --no-input, or with no display to
 * show one on. Asks D-Bus for the collection's Locked property (dbus-locked.ts);
 * where it cannot tell (no default collection, another bus transport) the calls themselves do.
 */
async function refuseLockedKeyring(options: KeychainOptions): Promise<void> {
  const { env, prompt, timeoutMs } = options;
  const nobody = !prompt ? '--no-input forbids an unlock prompt' : !env.DISPLAY && !env.WAYLAND_DISPLAY ? 'there is no display (DISPLAY, WAYLAND_DISPLAY) to show an unlock prompt on' : undefined;
  if (!nobody || !env.DBUS_SESSION_BUS_ADDRESS) return;
  const locked = await collectionLocked(env, timeoutMs);
  if (locked === 'no answer') {
    throw new StoreUnavailableError(
      `the Secret Service did not answer within ${Math.round(timeoutMs / 1000)} s; it may be waiting on an unlock prompt nobody can answer`,
      `restart it (gnome-keyring-daemon --replace), then unlock it; or choose another store: AMZ_TOKEN_STORE=file, or helper:pass`,
    );
  }
  if (locked === true) throw new StoreUnavailableError(`the keychain (the Secret Service's default collection) is locked, and ${nobody}`, LOCKED_HINT);
}

async function collectionLocked(env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Promise<boolean | 'no answer' | undefined> {
  const { defaultCollectionLocked } = await import('./dbus-locked.js');
  try {
    return await defaultCollectionLocked(env.DBUS_SESSION_BUS_ADDRESS!, timeoutMs);
  } catch {
    return undefined;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
