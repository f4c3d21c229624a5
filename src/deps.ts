// The one dependencies object: every side effect a command may cause goes
// through it, so tests can run commands in-process with fakes. Only
// createRealDeps() touches process.env, the clock, the streams and the keychain.

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
  /** Folder of config.json; see configDirFrom(). */
  configDir: string;
  /** Opened on first use, and once per run: status and --help never load the keychain binding. */
  secretStore: () => Promise<SecretStore>;
  /** Opens a URL in the user's browser (lazy: loads `open` only when called). */
  openBrowser: (url: string) => Promise<void>;
  /** Registers a handler for SIGINT/SIGTERM/SIGHUP; returns a function that removes it. */
  onSignal: (handler: (signal: Signal) => void) => () => void;
  /** Starts a job (`exec`) with stdio inherited: resolves once it runs, rejects as spawn does (ENOENT, EACCES). */
  startJob: (command: string, args: readonly string[], env: Record<string, string>) => Promise<RunningJob>;
}

/** The signals amz-token handles: Ctrl-C, a polite kill, and a closed terminal. */
export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type Signal = (typeof SIGNALS)[number];

export interface RunningJob {
  /** Sends it a signal (exec forwards what amz-token receives). */
  kill(signal: Signal): void;
  /** Settles when it has ended: its exit code, or the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** $AMZ_TOKEN_CONFIG_DIR, else $XDG_CONFIG_HOME/amz-token, else ~/.config/amz-token. */
export function configDirFrom(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env.AMZ_TOKEN_CONFIG_DIR) return env.AMZ_TOKEN_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'amz-token');
}

export function createRealDeps(): Deps {
  const env = process.env;
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
    configDir: configDirFrom(env, homedir()),
    // Opened once per run, so the AMZ_TOKEN_STORE=file warning is printed once.
    secretStore: () =>
      (store ??= import('./secrets/store.js').then(({ openSecretStore }) => openSecretStore(env, (line) => process.stderr.write(line + '\n')))),
    openBrowser: async (url) => {
      const { openBrowser } = await import('./flow/browser.js');
      await openBrowser(url, env);
    },
    onSignal: (handler) => {
      const listener = (signal: NodeJS.Signals) => handler(signal as Signal);
      for (const signal of SIGNALS) process.on(signal, listener);
      return () => {
        for (const signal of SIGNALS) process.off(signal, listener);
      };
    },
    // node:child_process loads here, on first use: only exec starts a process (~7 ms at start-up otherwise).
    startJob: async (command, args, env) => {
      const { spawn } = await import('node:child_process');
      // Inherited stdio: the job's stdin, stdout and stderr are amz-token's own, so a terminal stays a terminal.
      const child = spawn(command, args, { stdio: 'inherit', env });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return { kill: (signal) => void child.kill(signal), ended };
    },
  };
}
