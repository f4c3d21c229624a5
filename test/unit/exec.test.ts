// exec and env in-process: argv parsed into typed options, the job started
// through fake Deps with the right environment, its exit status passed on,
// signals forwarded, and no job at all when the credentials cannot be had.
// LWA is the Amazon double over real HTTP; the keychain and the job are fakes.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { fakeEnvironment, FAKE, MemorySecretStore } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { parseCommandLine } from '../../src/commands/program.js';
import { COMMANDS } from '../../src/commands/table.js';
import { runJob } from '../../src/job/run.js';
import type { Deps, RunningJob, Signal } from '../../src/deps.js';
import { StoreUnavailableError } from '../../src/errors.js';

const doubles: AmazonDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

function parse(argv: string[], env: Record<string, string> = {}) {
  const sink = new PassThrough();
  const parsed = parseCommandLine(argv, { env, stdout: sink, stderr: sink }, COMMANDS);
  if ('exit' in parsed) throw new Error(`exited ${parsed.exit}`);
  return parsed.invocation;
}

describe('exec and env: argv to options', () => {
  it('takes the command and its own flags after --, with the defaults', () => {
    const invocation = parse(['exec', '--profile', 'shop-de', '--', 'node', 'job.js', '--token-file', 'x', '--profile', 'theirs']);
    expect(invocation.command).toBe('exec');
    expect(invocation.options).toEqual({ profile: 'shop-de', lwaCredentials: false, minTtlMinutes: 50, command: 'node', args: ['job.js', '--token-file', 'x', '--profile', 'theirs'] });
  });

  it('reads --lwa-credentials, --min-ttl and AMZ_TOKEN_PROFILE', () => {
    const invocation = parse(['exec', '--lwa-credentials', '--min-ttl', '10', '--', 'true'], { AMZ_TOKEN_PROFILE: 'shop-us' });
    expect(invocation.options).toEqual({ profile: 'shop-us', lwaCredentials: true, minTtlMinutes: 10, command: 'true', args: [] });
  });

  it('env defaults to sh, and --json means --format json', () => {
    expect(parse(['env', '--profile', 'p']).options).toEqual({ profile: 'p', lwaCredentials: false, minTtlMinutes: 50, format: 'sh' });
    expect(parse(['--json', 'env', '--profile', 'p']).options).toMatchObject({ format: 'json' });
    expect(parse(['env', '--profile', 'p', '--format', 'github', '--min-ttl', '0']).options).toMatchObject({ format: 'github', minTtlMinutes: 0 });
  });

  it.each([
    [['exec', '--profile', 'p']],
    [['exec', '--profile', 'p', '--']],
    [['exec', '--', 'true']],
    [['exec', '--profile', 'p', '--min-ttl', '60', '--', 'true']],
    [['exec', '--profile', 'p', '--min-ttl', 'soon', '--', 'true']],
    [['exec', '--profile', 'p', '--lwa', '--', 'true']],
    [['env', '--profile', 'p', '--format', 'xml']],
    [['env', '--profile', 'p', '--json', '--format', 'sh']],
    [['env']],
  ])('%j is a usage error (2), and starts nothing', async (argv) => {
    const env = fakeEnvironment();
    const result = await env.run(argv);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(env.jobs).toEqual([]);
  });

  it('exec without a command says how to give one', async () => {
    const result = await fakeEnvironment().run(['exec', '--profile', 'p']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('amz-token: exec needs a command to run\n  amz-token exec --profile <name> -- <command> [args...]\n');
  });

  it("refuses a secret among the job's arguments, but not a flag of the job that is named like one of amz-token's refused flags", async () => {
    const env = fakeEnvironment();
    expect((await env.run(['exec', '--profile', 'p', '--', 'curl', '-H', 'x-amz-access-token: Atza|leaked'])).code).toBe(2);
    expect((await env.run(['--token', 'x', 'exec', '--profile', 'p', '--', 'true'])).code).toBe(2);
    // `--token` after -- belongs to the job; the run fails later only because profile p does not exist.
    expect((await env.run(['exec', '--profile', 'p', '--', 'gh', '--token', 'file'])).code).toBe(5);
  });
});

async function setUp(clock: { now: Date }, options: { startJob?: Deps['startJob']; env?: Record<string, string> } = {}) {
  const double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/cb'] }],
  });
  doubles.push(double);
  const env = fakeEnvironment(
    Object.assign(clock, { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, PATH: '/usr/bin', ...options.env }, ...(options.startJob ? { startJob: options.startJob } : {}) }),
  );
  await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb', '--secret-created', '2026-10-01'], FAKE.clientSecret);
  const refreshToken = double.issueRefreshToken(FAKE.clientId);
  const imported = await env.run(
    ['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'],
    refreshToken,
  );
  expect(imported.code, imported.stderr).toBe(0);
  return { double, env, refreshToken };
}

const cache = (accessToken: string, expiresAt: Date) => JSON.stringify({ accessToken, expiresAt: expiresAt.toISOString() });

describe('exec runs the job with the credentials', () => {
  it('starts the command with the variables, prints nothing on stdout, and exits with the job\'s code', async () => {
    const { double, env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') }, { startJob: async () => ({ kill: () => {}, ended: Promise.resolve({ code: 42, signal: null }) }) });
    const result = await env.run(['exec', '--profile', 'shop-de', '--', 'node', 'sync.js', '--all']);
    expect(result.code, result.stderr).toBe(42);
    expect(result.stdout).toBe('');
    expect(env.jobs).toHaveLength(1);
    const job = env.jobs[0]!;
    expect([job.command, ...job.args]).toEqual(['node', 'sync.js', '--all']);
    expect(job.env).toMatchObject({
      PATH: '/usr/bin',
      SP_API_ACCESS_TOKEN: expect.stringMatching(/^Atza\|/),
      SP_API_ACCESS_TOKEN_EXPIRES_AT: '2026-11-27T13:00:00.000Z',
      SP_API_ENDPOINT: 'https://sellingpartnerapi-eu.amazon.com',
      AMZ_TOKEN_PROFILE: 'shop-de',
    });
    expect(job.env).not.toHaveProperty('LWA_CLIENT_SECRET');
    expect(double.requests).toHaveLength(1);
  });

  it('reports 128+N for a job ended by signal N', async () => {
    const { env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') }, { startJob: async () => ({ kill: () => {}, ended: Promise.resolve({ code: null, signal: 'SIGKILL' }) }) });
    expect((await env.run(['exec', '--profile', 'shop-de', '--', 'job'])).code).toBe(137);
  });

  it.each([
    ['ENOENT', 127, 'amz-token: nope: command not found\n'],
    ['EACCES', 126, 'amz-token: nope: cannot be executed (permission denied)\n'],
  ])('a command that fails with %s exits %i with one line on stderr', async (code, exit, line) => {
    const startJob = async (): Promise<RunningJob> => {
      throw Object.assign(new Error(`spawn nope ${code}`), { code });
    };
    const { env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') }, { startJob });
    const result = await env.run(['exec', '--profile', 'shop-de', '--', 'nope']);
    expect(result.code).toBe(exit);
    expect(result.stderr).toBe(line);
  });

  it('mints a new token when the cached one has less than --min-ttl left (default 50 minutes), while token still reuses it', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') };
    const { double, env } = await setUp(clock);
    env.store.items.set('profile/shop-de/access-token', cache('Atza|forty-minutes-left', new Date('2026-11-27T12:40:00Z')));

    expect((await env.run(['token', '--profile', 'shop-de'])).stdout).toBe('Atza|forty-minutes-left\n');
    expect((await env.run(['exec', '--profile', 'shop-de', '--min-ttl', '30', '--', 'job'])).code).toBe(0);
    expect(env.jobs[0]!.env.SP_API_ACCESS_TOKEN).toBe('Atza|forty-minutes-left');
    expect(double.requests).toHaveLength(0);

    expect((await env.run(['exec', '--profile', 'shop-de', '--', 'job'])).code).toBe(0);
    const minted = env.jobs[1]!.env.SP_API_ACCESS_TOKEN!;
    expect(minted).not.toBe('Atza|forty-minutes-left');
    expect(double.requests).toHaveLength(1);
    // ...and cached for the next job.
    expect(JSON.parse(env.store.items.get('profile/shop-de/access-token')!)).toEqual({ accessToken: minted, expiresAt: '2026-11-27T13:00:00.000Z' });
    expect((await env.run(['exec', '--profile', 'shop-de', '--', 'job'])).code).toBe(0);
    expect(env.jobs[2]!.env.SP_API_ACCESS_TOKEN).toBe(minted);
    expect(double.requests).toHaveLength(1);
  });

  it('with --lwa-credentials hands over the client id, secret and refresh token too', async () => {
    const { env, refreshToken } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    expect((await env.run(['exec', '--profile', 'shop-de', '--lwa-credentials', '--', 'job'])).code).toBe(0);
    expect(env.jobs[0]!.env).toMatchObject({ LWA_CLIENT_ID: FAKE.clientId, SELLING_PARTNER_APP_CLIENT_SECRET: FAKE.clientSecret, SP_API_REFRESH_TOKEN: refreshToken });
  });

  it('warns, naming the renew command, when the recorded expiry is within the warning window', async () => {
    const { env } = await setUp({ now: new Date('2027-02-20T12:00:00Z') });
    const result = await env.run(['exec', '--profile', 'shop-de', '--', 'job']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('shop-de expires in 8 days; run: amz-token renew --profile shop-de\n');
  });

  it('starts no job when the credentials cannot be had: 5 unknown profile, 5 nothing stored, 4 revoked, 8 keychain unavailable', async () => {
    const { double, env, refreshToken } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    expect((await env.run(['exec', '--profile', 'ghost', '--', 'job'])).code).toBe(5);

    double.revoke(refreshToken);
    const revoked = await env.run(['exec', '--profile', 'shop-de', '--', 'job']);
    expect(revoked.code).toBe(4);
    expect(revoked.stderr).toContain('amz-token renew --profile shop-de');

    env.store.items.delete('profile/shop-de/refresh-token');
    expect((await env.run(['exec', '--profile', 'shop-de', '--', 'job'])).code).toBe(5);
    expect(env.jobs).toEqual([]);

  });

  it('starts no job when the keychain is unavailable (8)', async () => {
    const memory = new MemorySecretStore();
    let locked = false;
    const store = async () => {
      if (locked) throw new StoreUnavailableError('the keychain is unavailable (unlock prompt was dismissed)');
      return memory;
    };
    const env = fakeEnvironment({ store });
    await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb', '--secret-created', '2026-10-01'], FAKE.clientSecret);
    await env.run(['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'], FAKE.refreshToken);
    locked = true;
    const result = await env.run(['exec', '--profile', 'shop-de', '--', 'job']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('keychain is unavailable');
    expect(env.jobs).toEqual([]);
  });
});

describe('runJob forwards signals', () => {
  function fakes(onStart?: () => void) {
    let handler: ((signal: Signal) => void) | undefined;
    const received: Signal[] = [];
    let end: (value: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
    const env = fakeEnvironment();
    const deps: Deps = {
      ...env.deps,
      onSignal: (h) => {
        handler = h;
        return () => (handler = undefined);
      },
      startJob: async () => {
        onStart?.();
        return { kill: (signal) => void received.push(signal), ended: new Promise((resolve) => (end = resolve)) };
      },
    };
    return { deps, received, send: (signal: Signal) => handler?.(signal), end: (value: Parameters<typeof end>[0]) => end(value), listening: () => handler !== undefined };
  }

  it('passes SIGINT, SIGTERM and SIGHUP on to the job, waits for it, and stops listening after', async () => {
    const f = fakes();
    const status = runJob(f.deps, 'job', [], {});
    await new Promise((resolve) => setImmediate(resolve));
    f.send('SIGINT');
    f.send('SIGHUP');
    f.send('SIGTERM');
    expect(f.received).toEqual(['SIGINT', 'SIGHUP', 'SIGTERM']);
    f.end({ code: null, signal: 'SIGTERM' });
    expect(await status).toBe(143);
    expect(f.listening()).toBe(false);
  });

  it('forwards a signal that arrived while the job was starting', async () => {
    let f: ReturnType<typeof fakes>;
    f = fakes(() => f.send('SIGTERM'));
    const status = runJob(f.deps, 'job', [], {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.received).toEqual(['SIGTERM']);
    f.end({ code: 0, signal: null });
    expect(await status).toBe(0);
  });
});
