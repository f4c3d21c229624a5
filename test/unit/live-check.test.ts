// `status --check` and `token` in-process, with a fake keychain and clock and the
// Amazon double over real HTTP: cache timing, result merging, exit codes.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEnvironment, FAKE } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { statusReport, withLiveChecks } from '../../src/report/status-report.js';
import { failed, type LiveCheck } from '../../src/checks/live-check.js';
import { AmazonUnavailableError, AppCredentialsError, ExitCode, StoreUnavailableError } from '../../src/errors.js';
import type { Config } from '../../src/config/config.js';

const doubles: AmazonDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function setUp(now: { now: Date }) {
  const double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/cb'] }],
  });
  doubles.push(double);
  // The same object, not a copy: fakeEnvironment reads `now` from it on every call, so tests can move the clock.
  const env = fakeEnvironment(Object.assign(now, { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin } }));
  const add = await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb', '--secret-created', '2026-10-01'], FAKE.clientSecret);
  expect(add.code, add.stderr).toBe(0);
  const token = double.issueRefreshToken(FAKE.clientId);
  const imported = await env.run(
    ['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'],
    token,
  );
  expect(imported.code, imported.stderr).toBe(0);
  return { double, env, token };
}

describe('token and its keychain cache', () => {
  it('reuses the cached access token until only five minutes remain, then refreshes and stores the new one', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') };
    const { double, env } = await setUp(clock);
    const first = await env.run(['token', '--profile', 'shop-de']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Atza\|\S+\n$/);
    expect(JSON.parse(env.store.items.get('profile/shop-de/access-token')!)).toEqual({
      accessToken: first.stdout.trim(),
      expiresAt: '2026-11-27T13:00:00.000Z',
    });

    clock.now = new Date('2026-11-27T12:54:59Z');
    expect((await env.run(['token', '--profile', 'shop-de'])).stdout).toBe(first.stdout);
    expect(double.requests).toHaveLength(1);

    clock.now = new Date('2026-11-27T12:55:00Z');
    const third = await env.run(['token', '--profile', 'shop-de', '--json']);
    expect(double.requests).toHaveLength(2);
    const reply = JSON.parse(third.stdout);
    expect(reply).toEqual({ accessToken: expect.stringMatching(/^Atza\|/), expiresAt: '2026-11-27T13:55:00.000Z', profile: 'shop-de' });
    expect(reply.accessToken).not.toBe(first.stdout.trim());
    expect(JSON.parse(env.store.items.get('profile/shop-de/access-token')!).accessToken).toBe(reply.accessToken);
  });

  it('ignores an unreadable cache entry and overwrites it', async () => {
    const { double, env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    env.store.items.set('profile/shop-de/access-token', 'not json');
    const result = await env.run(['token', '--profile', 'shop-de']);
    expect(result.code).toBe(0);
    expect(double.requests).toHaveLength(1);
    expect(JSON.parse(env.store.items.get('profile/shop-de/access-token')!).accessToken).toBe(result.stdout.trim());
  });

  it('--no-cache asks LWA although the cached token has time left, and caches the new one', async () => {
    const { double, env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    const first = await env.run(['token', '--profile', 'shop-de']);
    const second = await env.run(['token', '--profile', 'shop-de', '--no-cache']);
    expect(second.code, second.stderr).toBe(0);
    expect(double.requests).toHaveLength(2);
    expect(second.stdout).not.toBe(first.stdout);
    expect(JSON.parse(env.store.items.get('profile/shop-de/access-token')!).accessToken).toBe(second.stdout.trim());
  });

  it('after a revocation, --no-cache exits 4 and the cached access token is gone, so no later token hands it out', async () => {
    const { double, env, token } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    expect((await env.run(['token', '--profile', 'shop-de'])).code).toBe(0);
    double.revoke(token);
    const revoked = await env.run(['token', '--profile', 'shop-de', '--no-cache']);
    expect(revoked.code).toBe(4);
    expect(revoked.stdout).toBe('');
    expect(env.store.items.has('profile/shop-de/access-token')).toBe(false);
    expect((await env.run(['token', '--profile', 'shop-de'])).code).toBe(4);
  });

  it('a rejected AMZ_TOKEN_REFRESH_TOKEN is named as the rejected token, not blamed on the stored authorization', async () => {
    const { double, env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    const override = double.issueRefreshToken(FAKE.clientId);
    double.revoke(override);
    const result = await env.runWith({ env: { ...env.deps.env, AMZ_TOKEN_REFRESH_TOKEN: override } }, ['token', '--profile', 'shop-de']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^amz-token: Amazon rejected the refresh token in AMZ_TOKEN_REFRESH_TOKEN \(invalid_grant.*\); the one stored for profile shop-de was not used$/m);
    expect(result.stderr).toMatch(/unset it to use the stored one/);
    expect(result.stderr).not.toMatch(/renew/);
    expect(result.stderr).not.toContain(override);
    // The stored authorization still works.
    expect((await env.run(['token', '--profile', 'shop-de'])).code).toBe(0);
  });

  it('warns on stderr, not stdout, when the authorization expires soon', async () => {
    const { env } = await setUp({ now: new Date('2027-02-20T12:00:00Z') });
    const result = await env.run(['token', '--profile', 'shop-de']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain('shop-de expires in 8 days; run: amz-token renew --profile shop-de');
  });
});

describe('status --check in-process', () => {
  it('status without --check never opens the keychain', async () => {
    const { env } = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    const { main } = await import('../../src/main.js');
    const refusing = {
      ...env.deps,
      secretStore: async () => {
        throw new Error('status opened the keychain');
      },
    };
    expect(await main(['status'], refusing)).toBe(ExitCode.OK);
    expect(await main(['status', '--check'], refusing)).toBe(ExitCode.INTERNAL);
  });

  it('opens the keychain once however many profiles it checks', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') };
    const { double, env } = await setUp(clock);
    for (const name of ['shop-fr', 'shop-it', 'shop-es']) {
      await env.run(['import', '--profile', name, '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'], double.issueRefreshToken(FAKE.clientId));
    }
    let opened = 0;
    const counting = { ...env.deps, secretStore: async () => (opened++, env.store) };
    const { main } = await import('../../src/main.js');
    const code = await main(['status', '--check', '--json'], counting);
    expect(code).toBe(0);
    expect(opened).toBe(1);
    expect(double.requests).toHaveLength(4);
  });
});

describe('status --check ends in bounded time however Amazon fails', () => {
  async function withProfiles(count: number) {
    const rig = await setUp({ now: new Date('2026-11-27T12:00:00Z') });
    for (let i = 1; i < count; i++) {
      const imported = await rig.env.run(
        ['import', '--profile', `shop-${i}`, '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'],
        rig.double.issueRefreshToken(FAKE.clientId),
      );
      expect(imported.code).toBe(0);
    }
    return rig;
  }

  it('stops asking after 3 profiles in a row found LWA failing, and marks the rest unknown: exit 7', async () => {
    const { double, env } = await withProfiles(8);
    double.faults.tokenStatus = 503;
    const result = await env.run(['status', '--check', '--concurrency', '1', '--json']);
    expect(result.code).toBe(7);
    // 3 profiles x 3 attempts; without the cut-off, 8 x 3.
    expect(double.requests).toHaveLength(9);
    const profiles = JSON.parse(result.stdout).profiles as Array<{ state: string; check: { message: string } }>;
    expect(profiles.map((p) => p.state)).toEqual(Array(8).fill('unknown'));
    expect(profiles.slice(3).map((p) => p.check.message)).toEqual(Array(5).fill('not checked: Amazon failed for 3 profiles in a row; stopped checking'));
  });

  it('a profile Amazon answers resets the count: failures must be in a row', async () => {
    const { double, env } = await withProfiles(6);
    double.faults.tokenStatus = 503;
    double.faults.failTimes = 6; // two profiles fail (3 attempts each), then LWA recovers
    const result = await env.run(['status', '--check', '--concurrency', '1', '--json']);
    expect(result.code).toBe(7);
    expect(JSON.parse(result.stdout).profiles.map((p: { state: string }) => p.state)).toEqual(['unknown', 'unknown', 'ok', 'ok', 'ok', 'ok']);
  });

  it('--deadline ends the run: the check under way is aborted and the rest are not started: exit 7', async () => {
    const { double, env } = await withProfiles(3);
    double.faults.hang = true;
    const hanging = fakeEnvironment({ now: new Date('2026-11-27T12:00:00Z'), env: { ...env.deps.env, AMZ_TOKEN_HTTP_TIMEOUT_MS: '600000' } });
    const result = await hanging.runWith({ configDir: env.deps.configDir, secretStore: env.deps.secretStore }, ['status', '--check', '--concurrency', '1', '--deadline', '1', '--json']);
    expect(result.code).toBe(7);
    const messages = JSON.parse(result.stdout).profiles.map((p: { check: { message: string } }) => p.check.message);
    expect(messages).toEqual([
      'not finished: the --deadline of 1 s passed',
      'not checked: the --deadline of 1 s passed',
      'not checked: the --deadline of 1 s passed',
    ]);
    expect(double.requests).toHaveLength(1);
  });
});

describe('client secret expiry in status', () => {
  it.each([
    ['2026-06-15', 3, 'expires soon'],
    ['2026-05-01', 9, 'has expired'],
  ])('a secret created %s exits %i and names the fix', async (created, code, words) => {
    const env = fakeEnvironment({ now: new Date('2026-11-27T12:00:00Z') });
    await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb', '--secret-created', created], FAKE.clientSecret);
    await env.run(['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-09-01'], FAKE.refreshToken);
    const result = await env.run(['status']);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(`the client secret of app my-app ${words}; rotate it in the Developer Console, then run: amz-token app set-secret my-app`);
  });
});

describe('withLiveChecks: the check results and the dates make one exit code', () => {
  const config: Config = {
    version: 1,
    apps: { 'my-app': { appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://e.example/cb', draft: false, clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } },
    profiles: {
      fresh: { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE1', expiresAt: '2027-10-01T00:00:00.000Z' },
      soon: { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE1', expiresAt: '2026-12-10T00:00:00.000Z' },
      gone: { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE1', expiresAt: '2026-11-01T00:00:00.000Z' },
    },
  };
  const at = new Date('2026-11-27T12:00:00Z');
  const ok: LiveCheck = { result: 'ok', message: 'Amazon issued an access token', exitCode: ExitCode.OK, checkedAt: at.toISOString() };
  const report = () => statusReport(config, at, 30); // profiles sorted: fresh, gone, soon
  const states = (r: ReturnType<typeof report>) => r.profiles.map((p) => [p.profile, p.state, p.checked]);

  it('keeps the date state of a profile Amazon accepts, and its exit code', () => {
    const merged = withLiveChecks(report(), [ok, ok, ok], false);
    expect(states(merged)).toEqual([['fresh', 'ok', true], ['gone', 'expired', true], ['soon', 'expiring', true]]);
    expect(merged.exitCode).toBe(ExitCode.EXPIRED);
    expect(merged.profiles[0]).toMatchObject({ checkedAt: at.toISOString(), check: { result: 'ok' } });
    expect(merged.profiles[0]).not.toHaveProperty('marketplaces');
  });

  it('turns a transient failure into state unknown and exit 7, outranking an expiring date', () => {
    const unknown = failed(new AmazonUnavailableError('Login with Amazon is unreachable or failing: timed out (after 3 attempts)', 'retry', 'timed out'));
    expect(unknown).toMatchObject({ result: 'unknown', reason: 'timed out', exitCode: 7 });
    const merged = withLiveChecks(statusReport(config, at, 30, 'soon'), [unknown], true);
    expect(states(merged)).toEqual([['soon', 'unknown', false]]);
    expect(merged.profiles[0]).toMatchObject({ checkedAt: null, marketplaces: null });
    expect(merged.exitCode).toBe(ExitCode.AMAZON_UNAVAILABLE);
  });

  it('ranks an app rejection (9) above an expired date (4) and a keychain failure (8)', () => {
    const merged = withLiveChecks(
      report(),
      [failed(new AppCredentialsError('rejected app "my-app"')), ok, failed(new StoreUnavailableError('the keychain is unavailable'))],
      false,
    );
    expect(merged.profiles.map((p) => p.check?.result)).toEqual(['app-rejected', 'ok', 'store-unavailable']);
    expect(merged.exitCode).toBe(ExitCode.APP_REJECTED);
  });

  it('reports a non-amz-token error as an internal error without echoing a secret', () => {
    expect(failed(new Error(`boom ${FAKE.refreshToken}`))).toMatchObject({ result: 'failed', exitCode: 1, message: 'internal error: (message withheld)' });
  });
});

describe('parsing of status --check and token', () => {
  it.each([
    [['token'], 2],
    [['token', '--profile', '../x'], 2],
    [['status', '--check', '--concurrency', '0'], 2],
    [['status', '--check', '--concurrency', '33'], 2],
    [['status', '--deep', '--concurrency', 'many'], 2],
  ])('%j exits %i', async (argv, code) => {
    const result = await fakeEnvironment().run(argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
  });

  it.each([
    [{ AMZ_TOKEN_SPAPI_URL: 'not a url' }, /AMZ_TOKEN_SPAPI_URL "not a url" is not an absolute URL/],
    [{ AMZ_TOKEN_LWA_URL: 'ftp://example.com/token' }, /AMZ_TOKEN_LWA_URL must be an http\(s\) URL/],
    [{ AMZ_TOKEN_HTTP_TIMEOUT_MS: '0' }, /AMZ_TOKEN_HTTP_TIMEOUT_MS must be a whole number of milliseconds from 1/],
  ])('status --deep with %j exits 2 once, before any check', async (badEnv, message) => {
    const env = fakeEnvironment({ env: badEnv });
    await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'], FAKE.clientSecret);
    await env.run(['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-09-01'], FAKE.refreshToken);
    const result = await env.run(['status', '--deep']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('token --help and status --help show examples, exit codes and the new flags', async () => {
    const token = await fakeEnvironment().run(['token', '--help']);
    expect(token.stdout).toMatch(/Examples:\n {2}\$ amz-token token --profile shop-de/);
    expect(token.stdout).toMatch(/Exit codes: 0 ok, 2 usage, 4 expired or token rejected, 5 not found, 7 Amazon unreachable, 8 store unavailable, 9 app rejected /);
    const status = await fakeEnvironment().run(['status', '--help']);
    for (const flag of ['--check', '--deep', '--concurrency <n>']) expect(status.stdout).toContain(flag);
  });
});
