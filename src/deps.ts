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
import { UsageError } from './errors.js';
import type { SecretQueue } from './rotation/queue.js';

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
  /** Registers a handler for SIGINT/SIGTERM/SIGHUP; returns a function that removes it. */
  onSignal: (handler: (signal: Signal) => void) => () => void;
  /** Opens the app's SQS secret queue (lazy: loads the AWS SDK only when called). */
  secretQueue: (url: string) => Promise<SecretQueue>;
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

/** $AMZ_TOKEN_CONFIG_DIR, else $XDG_CONFIG_HOME/amz-token, else ~/.config/amz-token. `home` is asked only for the last. */
export function configDirFrom(env: Readonly<Record<string, string | undefined>>, home: () => string): string {
  if (env.AMZ_TOKEN_CONFIG_DIR) return env.AMZ_TOKEN_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(home(), '.config');
  return join(base, 'amz-token');
}

/** $XDG_DATA_HOME/amz-token, else ~/.local/share/amz-token: outside the config folder, which a team may share. */
export function dataDirFrom(env: Readonly<Record<string, string | undefined>>, home: () => string): string {
  return join(env.XDG_DATA_HOME || join(home(), '.local', 'share'), 'amz-token');
}

/**
 * The home folder, for the default config and data folders. Node cannot tell it when HOME is
 * unset and the user has no entry in the user database (a container run with an arbitrary uid):
 * that is a usage error naming the variables that fix it, raised when a command needs a folder
 * (so inside main(), as one line), never a stack trace at start-up.
 */
function homeFolder(): string {
  try {
    return homedir();
  } catch (error) {
    throw new UsageError(
      `cannot tell your home folder, which holds amz-token's config by default: HOME is not set and user ${process.getuid?.() ?? '?'} has no entry in the user database (${(error as Error).message.split('\n')[0]!.slice(0, 120)})`,
      'set HOME, or AMZ_TOKEN_CONFIG_DIR (and XDG_DATA_HOME for AMZ_TOKEN_STORE=file)',
    );
  }
}

export function createRealDeps(): Deps {
  const env = process.env;
  // A reader that went away (`amz-token --help | head -1`) is not our error: what is
  // left unwritten has no one to read it, and the command still ends with its own code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // EIO: the terminal was closed (SIGHUP): there is no one to read it either.
      if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
    });
  }
  // Folders are worked out on first use: --help, --version and `token` with AMZ_TOKEN_CONFIG_DIR
  // set never need the home folder, and a missing one must be a one-line error inside main().
  let home: string | undefined;
  const homeOnce = () => (home ??= homeFolder());
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
    get configDir() {
      return configDirFrom(env, homeOnce);
    },
    get dataDir() {
      return dataDirFrom(env, homeOnce);
    },
    // Opened once per run, so the file store's warning is printed once.
    secretStore: (options) =>
      (store ??= import('./secrets/store.js').then(({ openChosenStore }) =>
        openChosenStore({ env, configDir: configDirFrom(env, homeOnce), dataDir: dataDirFrom(env, homeOnce), warn: (line) => process.stderr.write(line + '\n'), prompt: options?.prompt ?? true }),
      )),
    openBrowser: async (url) => {
      const { openBrowser } = await import('./flow/browser.js');
      await openBrowser(url, env);
    },
    secretQueue: async (url) => {
      // The AWS SDK warns on Node < 22, once per process, in eight lines on stderr, that its releases
      // after January 2027 will need Node 22. That is news for whoever upgrades the SDK (amz-token's
      // maintainers; package.json's engines says which Node amz-token needs), not for an operator whose
      // cron mail it would fill on every run: silenced unless the operator set the SDK's switch themselves.
      env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { openSqsQueue } = await import('./rotation/sqs.js');
      return openSqsQueue(url, env);
    },
    onSignal: onProcessSignal,
    startJob: startJobProcess,
  };
}

/** Deps.onSignal of the real process (also exec's fast path, src/exec-fast.ts). */
export function onProcessSignal(handler: (signal: Signal) => void): () => void {
  const listener = (signal: NodeJS.Signals) => handler(signal as Signal);
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}

/**
 * Deps.startJob of the real process. node:child_process loads here, on first use: only exec
 * starts a process (~7 ms at start-up otherwise).
 */
export async function startJobProcess(command: string, args: readonly string[], env: Record<string, string>): Promise<RunningJob> {
  const { spawn } = await import('node:child_process');
  // Inherited stdio: the job's stdin, stdout and stderr are amz-token's own, so a terminal stays a terminal.
  const child = spawn(command, args, { stdio: 'inherit', env });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return { kill: (signal) => void child.kill(signal), ended };
}
