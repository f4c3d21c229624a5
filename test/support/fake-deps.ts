// In-memory collaborators for running commands in-process (unit tests only:
// they prove parsing and logic, not that the keychain or files work).

import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps, RunningJob } from '../../src/deps.js';
import type { SecretStore } from '../../src/secrets/store.js';
import { main } from '../../src/main.js';

export class MemorySecretStore implements SecretStore {
  readonly description: string = 'the test keychain';
  readonly items = new Map<string, string>();
  async get(account: string) {
    return this.items.get(account) ?? null;
  }
  async set(account: string, value: string) {
    this.items.set(account, value);
  }
  async delete(account: string) {
    this.items.delete(account);
  }
  async list() {
    return [...this.items.keys()].sort();
  }
}

export interface FakeRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StartedJob {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
}

export interface FakeEnvironment {
  deps: Deps;
  store: MemorySecretStore;
  /** Every job `exec` started (none really runs: the default one exits 0 at once). */
  jobs: StartedJob[];
  /**
   * stdin: all of it at once (a string), or a stream the test keeps writing to.
   * `watch.stderr`: called with all of stderr so far whenever more arrives (to act mid-run).
   */
  run(argv: string[], stdin?: string | PassThrough, watch?: { stderr?: (text: string) => void }): Promise<FakeRun>;
  /** The same, with some collaborators replaced (a terminal's TTY flags and width, say). */
  runWith(overrides: Partial<Deps>, argv: string[], stdin?: string | PassThrough, watch?: { stderr?: (text: string) => void }): Promise<FakeRun>;
}

export interface FakeOptions {
  now?: Date;
  env?: Record<string, string>;
  store?: SecretStore | (() => Promise<SecretStore>);
  /** The browser: by default it opens nothing. */
  openBrowser?: (url: string) => Promise<void>;
  /** stdin is a terminal (prompts are allowed); default false, as in a pipe. */
  stdinIsTTY?: boolean;
  /** How `exec`'s job runs: by default it exits 0 at once. */
  startJob?: Deps['startJob'];
  secretQueue?: Deps['secretQueue'];
}

export function fakeEnvironment(options: FakeOptions = {}): FakeEnvironment {
  const store = new MemorySecretStore();
  const jobs: StartedJob[] = [];
  const exitsAtOnce = async (): Promise<RunningJob> => ({ kill: () => {}, ended: Promise.resolve({ code: 0, signal: null }) });
  const root = mkdtempSync(join(tmpdir(), 'amz-token-unit-'));
  const configDir = join(root, 'config');
  const base: Deps = {
    env: options.env ?? {},
    now: () => options.now ?? new Date('2026-11-27T12:00:00Z'),
    randomBytes: (n) => Buffer.alloc(n, 7),
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdinIsTTY: options.stdinIsTTY ?? false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    configDir,
    dataDir: join(root, 'data'),
    secretStore: typeof options.store === 'function' ? options.store : async () => (options.store as SecretStore | undefined) ?? store,
    openBrowser: options.openBrowser ?? (async () => {}),
    onSignal: () => () => {},
    secretQueue: options.secretQueue ?? (async () => {
      throw new Error('fake deps: no secret queue given');
    }),
    startJob: (command, args, env) => {
      jobs.push({ command, args, env });
      return (options.startJob ?? exitsAtOnce)(command, args, env);
    },
  };
  return {
    deps: base,
    store,
    jobs,
    run(argv, stdin = '', watch = {}) {
      return this.runWith({}, argv, stdin, watch);
    },
    async runWith(overrides, argv, stdin = '', watch = {}) {
      const stdinStream = typeof stdin === 'string' ? new PassThrough().end(stdin) : stdin;
      const stdout = collect();
      const stderr = collect(watch.stderr);
      const code = await main(argv, { ...base, ...overrides, stdin: stdinStream, stdout: stdout.stream, stderr: stderr.stream });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    },
  };
}

function collect(onText?: (text: string) => void) {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => {
    chunks.push(c);
    onText?.(Buffer.concat(chunks).toString('utf8'));
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export const FAKE = {
  appId: 'amzn1.sp.solution.12345678-1234-1234-1234-123456789abc',
  clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef',
  clientSecret: 'amzn1.oa2-cs.v1.fakeclientsecret0123456789abcdef',
  refreshToken: 'Atzr|IwEBIFakeRefreshTokenForTests0123456789',
};
