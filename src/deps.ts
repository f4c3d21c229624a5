// The one dependencies object: every side effect a command may cause goes
// through it, so tests can run commands in-process with fakes. Only
// createRealDeps() touches process.env, the clock, the streams, the home
// folder and the keychain.
//
// Deliberately not covered, because a fake would prove nothing there:
// - Timers (setTimeout/setInterval) and the clock of the file locks
//   (config/atomic-file.ts): they measure real time against other processes,
//   which a fake clock cannot speed up. Retry backoff takes an injectable
//   `sleep` per call (LwaOptions, SellersApiOptions) instead.
// - Math.random: it only spreads retries (jitter) and names temporary files;
//   anything secret (the OAuth state) comes from randomBytes.
// - The process's own identity (pid, uid) in lock files and the config file's
//   mode check: they are about the real file system.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SecretStore } from './secrets/store.js';

export interface Deps {
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  randomBytes: (size: number) => Buffer;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width when stdout is one. */
  stdoutColumns?: number;
  /** Folder of config.json; see configDirFrom(). */
  configDir: string;
  /** Folder of the file store's default secrets.json; see dataDirFrom(). */
  dataDir: string;
  /**
   * The store this run uses (AMZ_TOKEN_STORE, config.json, or the keychain), opened on first use
   * and once per run: status and --help never load it. `prompt: false` (--no-input) is honoured
   * by the call that opens it; src/context.ts passes it.
   */
  secretStore: (options?: { prompt?: boolean }) => Promise<SecretStore>;
  /** Opens a URL in the user's browser (lazy: loads `open` only when called). */
  openBrowser: (url: string) => Promise<void>;
  /** Registers a handler for SIGINT/SIGTERM; returns a function that removes it. */
  onSignal: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
}

/** $AMZ_TOKEN_CONFIG_DIR, else $XDG_CONFIG_HOME/amz-token, else ~/.config/amz-token. */
export function configDirFrom(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env.AMZ_TOKEN_CONFIG_DIR) return env.AMZ_TOKEN_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'amz-token');
}

/** $XDG_DATA_HOME/amz-token, else ~/.local/share/amz-token: outside the config folder, which a team may share. */
export function dataDirFrom(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'amz-token');
}

export function createRealDeps(): Deps {
  const env = process.env;
  // A reader that went away (`amz-token --help | head -1`) is not our error: what is
  // left unwritten has no one to read it, and the command still ends with its own code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const home = homedir();
  const configDir = configDirFrom(env, home);
  let store: Promise<SecretStore> | undefined;
  return {
    env,
    now: () => new Date(),
    // Web Crypto's CSPRNG, not node:crypto: that module costs ~8 ms at start-up, and only `request` needs random bytes.
    randomBytes: (size) => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(size))),
    // Getters: creating process.stdin costs ~7 ms, and only commands that read stdin need it.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    get stdinIsTTY() {
      return process.stdin.isTTY === true;
    },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    get stdoutColumns() {
      return process.stdout.isTTY ? process.stdout.columns : undefined;
    },
    configDir,
    dataDir: dataDirFrom(env, home),
    // Opened once per run, so the file store's warning is printed once.
    secretStore: (options) =>
      (store ??= import('./secrets/store.js').then(({ openChosenStore }) =>
        openChosenStore({ env, configDir, dataDir: dataDirFrom(env, home), warn: (line) => process.stderr.write(line + '\n'), prompt: options?.prompt ?? true }),
      )),
    openBrowser: async (url) => {
      const { openBrowser } = await import('./flow/browser.js');
      await openBrowser(url, env);
    },
    onSignal: (handler) => {
      const listener = (signal: NodeJS.Signals) => handler(signal as 'SIGINT' | 'SIGTERM');
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}
