// In-memory collaborators for running commands in-process (unit tests only:
// they prove parsing and logic, not that the keychain or files work).

import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps, RunningJob } from '../../src/deps.js';
import type { SecretStore } from '../../src/secrets/store.js';
import { main } from '../../src/cli.js';

export class MemorySecretStore implements SecretStore {
  readonly description = 'the test keychain';
  readonly items = new Map<string, string>();
  async get(account: string) {
    return this.items.get(account) ?? null;
  }
  async set(account: string, value: string) {
    this.items.set(account, value);
  }
  async delete(account: string) {
    return this.items.delete(account);
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
  run(argv: string[], stdin?: string): Promise<FakeRun>;
}

export function fakeEnvironment(
  options: { now?: Date; env?: Record<string, string>; store?: SecretStore | (() => Promise<SecretStore>); startJob?: Deps['startJob'] } = {},
): FakeEnvironment {
  const store = new MemorySecretStore();
  const jobs: StartedJob[] = [];
  const exitsAtOnce = async (): Promise<RunningJob> => ({ kill: () => {}, ended: Promise.resolve({ code: 0, signal: null }) });
  const configDir = join(mkdtempSync(join(tmpdir(), 'amz-token-unit-')), 'config');
  const base: Deps = {
    env: options.env ?? {},
    now: () => options.now ?? new Date('2026-11-27T12:00:00Z'),
    randomBytes: (n) => Buffer.alloc(n, 7),
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    configDir,
    secretStore: typeof options.store === 'function' ? options.store : async () => (options.store as SecretStore | undefined) ?? store,
    openBrowser: async () => {},
    onSignal: () => () => {},
    startJob: (command, args, env) => {
      jobs.push({ command, args, env });
      return (options.startJob ?? exitsAtOnce)(command, args, env);
    },
  };
  return {
    deps: base,
    store,
    jobs,
    async run(argv, stdin = '') {
      const stdinStream = new PassThrough();
      stdinStream.end(stdin);
      const stdout = collect();
      const stderr = collect();
      const code = await main(argv, { ...base, stdin: stdinStream, stdout: stdout.stream, stderr: stderr.stream });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    },
  };
}

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export const FAKE = {
  appId: 'amzn1.sp.solution.12345678-1234-1234-1234-123456789abc',
  clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef',
  clientSecret: 'amzn1.oa2-cs.v1.fakeclientsecret0123456789abcdef',
  refreshToken: 'Atzr|IwEBIFakeRefreshTokenForTests0123456789',
};
