// End to end: `status --check [--deep]` and `token`, the built binary against
// the Amazon double and a real gnome-keyring. Every run is checked for leaked secrets.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import { BIN, sandbox, secretToolLookup, requireTestKeyring, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

beforeAll(() => requireTestKeyring());

const SELLER = 'A3TESTSELLER01';
const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

interface Harness {
  s: Sandbox;
  double: AmazonDouble;
  app: string;
  /** Runs the CLI pointed at the double; every result is kept for the leak check. */
  run(args: string[], env?: Record<string, string | undefined>): Promise<Result>;
  /** Imports a profile holding a refresh token the double issued; returns the token. */
  addProfile(name: string, options?: { vendor?: boolean; authorizedAt?: string }): Promise<string>;
  /** Many seller profiles at once, written without the CLI (setup for tests about the checks, not about import). */
  addProfilesDirectly(names: string[]): Promise<void>;
  /** Values that must never appear in any output or file. */
  secrets: string[];
  runs: Result[];
}

const harnesses: Harness[] = [];

async function harness(options: { clientSecret?: string } = {}): Promise<Harness> {
  const double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: SELLER,
  });
  const s = sandbox();
  const app = `${s.prefix}-app`;
  const runs: Result[] = [];
  const secrets = [FAKE.clientSecret, ...(options.clientSecret ? [options.clientSecret] : [])];
  const h: Harness = {
    s,
    double,
    app,
    secrets,
    runs,
    async run(args, env = {}) {
      const result = await s.run(args, { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin, ...env } });
      runs.push(result);
      return result;
    },
    async addProfilesDirectly(names) {
      // Setup only, and fast however loaded the machine: the tokens go straight into the
      // keychain and the profiles into config.json (50 `import` processes would take a minute).
      const { AsyncEntry } = await import('@napi-rs/keyring');
      const file = join(s.configDir, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8'));
      for (const name of names) {
        const token = double.issueRefreshToken(FAKE.clientId);
        secrets.push(token);
        await new AsyncEntry('amz-token', `profile/${name}/refresh-token`, { linux: { store: 'secret-service' } }).setPassword(token);
        config.profiles[name] = { app, region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: SELLER, expiresAt: new Date(Date.now() + 355 * 86_400_000).toISOString() };
      }
      writeFileSync(file, JSON.stringify(config));
    },
    async addProfile(name, { vendor = false, authorizedAt = daysAgo(10) } = {}) {
      const token = double.issueRefreshToken(FAKE.clientId);
      secrets.push(token);
      const imported = await s.run(
        ['import', '--profile', name, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, ...(vendor ? ['--vendor'] : []), '--authorized-at', authorizedAt],
        { input: `${token}\n` },
      );
      runs.push(imported);
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
      return token;
    },
  };
  const added = await s.run(
    ['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', daysAgo(10)],
    { input: `${options.clientSecret ?? FAKE.clientSecret}\n` },
  );
  runs.push(added);
  expect(added.exitCode, String(added.stderr)).toBe(0);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.double.close();
    const texts = [...h.runs.flatMap((r) => [String(r.stdout), String(r.stderr)]), h.s.configText()];
    for (const text of texts) for (const secret of h.secrets) expect(text.includes(secret), 'a secret leaked into output or a file').toBe(false);
  }
});

const json = (result: Result) => JSON.parse(String(result.stdout));
const lwaCalls = (double: AmazonDouble) => double.requests.filter((r) => r.path === '/auth/o2/token').length;

describe('status --check proves each profile at Login with Amazon', () => {
  it('marks a working profile checked, keeps its date state, and never prints the access token', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const table = await h.run(['status', '--check']);
    expect(table.exitCode, String(table.stderr)).toBe(0);
    expect(String(table.stdout)).toMatch(/^PROFILE\s+SELLER\s+REGION\s+EXPIRES\s+STATE\s+CHECK$/m);
    expect(String(table.stdout)).toMatch(new RegExp(`^${p}\\s+${SELLER} \\(DE\\)\\s+eu\\s+.*\\s+ok\\s+ok$`, 'm'));
    expect(String(table.stdout) + String(table.stderr)).not.toContain('Atza|');

    const report = json(await h.run(['status', '--check', '--json']));
    expect(report.profiles[0]).toMatchObject({ profile: p, state: 'ok', checked: true, check: { result: 'ok' } });
    expect(new Date(report.profiles[0].checkedAt).toISOString()).toBe(report.profiles[0].checkedAt);
    expect(JSON.stringify(report)).not.toContain('Atza|');
    expect(lwaCalls(h.double)).toBe(2);
  });

  it('exits 4 with state rejected for a revoked token, and still checks the other profiles', async () => {
    const h = await harness();
    const revoked = `${h.s.prefix}-revoked`;
    const good = `${h.s.prefix}-good`;
    h.double.revoke(await h.addProfile(revoked));
    await h.addProfile(good);
    const result = await h.run(['status', '--check', '--json']);
    expect(result.exitCode).toBe(4);
    const byName = Object.fromEntries(json(result).profiles.map((p: { profile: string }) => [p.profile, p]));
    expect(byName[revoked]).toMatchObject({ state: 'rejected', checked: false, checkedAt: null, check: { result: 'rejected' } });
    expect(byName[revoked].check.message).toMatch(/invalid_grant/);
    expect(byName[good]).toMatchObject({ state: 'ok', checked: true });

    const table = await h.run(['status', '--check', '--profile', revoked]);
    expect(table.exitCode).toBe(4);
    expect(String(table.stdout)).toMatch(/rejected\s+rejected$/m);
    expect(String(table.stderr)).toContain(`amz-token renew --profile ${revoked}`);
  });

  it('exits 9 naming the app when LWA rejects its client secret', async () => {
    const wrong = 'amzn1.oa2-cs.v1.wrongwrongwrong0123456789abcdef';
    const h = await harness({ clientSecret: wrong });
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const result = await h.run(['status', '--check']);
    expect(result.exitCode).toBe(9);
    expect(String(result.stdout)).toMatch(/app rejected$/m);
    expect(String(result.stderr)).toContain(`app "${h.app}"`);
    expect(String(result.stderr)).toContain('the client secret may have expired or been rotated');
    expect(String(result.stderr)).toContain(`amz-token app set-secret ${h.app}`);
  });

  it('succeeds after retrying when LWA answers 503 twice, then 200', async () => {
    const h = await harness();
    await h.addProfile(`${h.s.prefix}-de`);
    h.double.faults.tokenStatus = 503;
    h.double.faults.failTimes = 2;
    const result = await h.run(['status', '--check', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(json(result).profiles[0]).toMatchObject({ checked: true, state: 'ok' });
    expect(lwaCalls(h.double)).toBe(3);
  });

  it('exits 7 with state unknown after a bounded number of attempts when LWA answers 503 forever', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    h.double.faults.tokenStatus = 503;
    const result = await h.run(['status', '--check']);
    expect(result.exitCode).toBe(7);
    expect(String(result.stdout)).toMatch(/unknown\s+unknown \(HTTP 503\)$/m);
    expect(String(result.stderr)).toMatch(new RegExp(`${p}: Login with Amazon is unreachable or failing: HTTP 503.*after 3 attempts`));
    expect(lwaCalls(h.double)).toBe(3);
  });

  it('gives up on a slow LWA after AMZ_TOKEN_HTTP_TIMEOUT_MS and exits 7', async () => {
    const h = await harness();
    await h.addProfile(`${h.s.prefix}-de`);
    h.double.faults.delayMs = 10_000;
    const result = await h.run(['status', '--check', '--json'], { AMZ_TOKEN_HTTP_TIMEOUT_MS: '250' });
    expect(result.exitCode).toBe(7);
    expect(json(result).profiles[0]).toMatchObject({ state: 'unknown', checked: false, check: { result: 'unknown' } });
    expect(json(result).profiles[0].check.message).toMatch(/timed out \(after 3 attempts\)/);
    expect(lwaCalls(h.double)).toBe(3);
  });

  it('exits 2 for a malformed AMZ_TOKEN_HTTP_TIMEOUT_MS or --concurrency, before asking Amazon', async () => {
    const h = await harness();
    await h.addProfile(`${h.s.prefix}-de`);
    const badTimeout = await h.run(['status', '--check'], { AMZ_TOKEN_HTTP_TIMEOUT_MS: 'soon' });
    expect(badTimeout.exitCode).toBe(2);
    expect(String(badTimeout.stderr)).toContain('AMZ_TOKEN_HTTP_TIMEOUT_MS must be a whole number');
    for (const n of ['0', '33', 'x']) expect((await h.run(['status', '--check', '--concurrency', n])).exitCode).toBe(2);
    expect(lwaCalls(h.double)).toBe(0);
  });

  it('exits 8 when the keychain is unavailable, and 5 for a profile whose token is not stored', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const noKeychain = await h.run(['status', '--check'], NO_BUS);
    expect(noKeychain.exitCode).toBe(8);
    expect(String(noKeychain.stdout)).toMatch(/store unavailable$/m);
    expect(String(noKeychain.stderr)).toMatch(/keychain is unavailable/);

    await execa('secret-tool', ['clear', 'service', 'amz-token', 'username', `profile/${p}/refresh-token`]);
    const missing = await h.run(['status', '--check']);
    expect(missing.exitCode).toBe(5);
    expect(String(missing.stdout)).toMatch(/not stored$/m);
    expect(String(missing.stderr)).toContain(`amz-token renew --profile ${p}`);
    // No refresh grant without a refresh token; the app's secret, which no profile proved, gets its grantless proof.
    expect(h.double.requests.map((r) => r.form?.grant_type)).toEqual(['client_credentials']);
  });

  it('checks 50 profiles concurrently, never more at once than the bound', async () => {
    const h = await harness();
    const names = Array.from({ length: 50 }, (_, i) => `${h.s.prefix}-p${String(i).padStart(2, '0')}`);
    await h.addProfilesDirectly(names);
    h.double.faults.delayMs = 200;

    const byDefault = await h.run(['status', '--check', '--json']);
    expect(byDefault.exitCode, String(byDefault.stderr)).toBe(0);
    expect(json(byDefault).profiles.filter((p: { checked: boolean }) => p.checked)).toHaveLength(50);
    expect(lwaCalls(h.double)).toBe(50);
    const defaultMax = h.double.maxInFlight;
    expect(defaultMax).toBeGreaterThan(1);
    expect(defaultMax).toBeLessThanOrEqual(4);

    h.double.maxInFlight = 0;
    const wider = await h.run(['status', '--check', '--json', '--concurrency', '10']);
    expect(wider.exitCode, String(wider.stderr)).toBe(0);
    expect(h.double.maxInFlight).toBeGreaterThan(4);
    expect(h.double.maxInFlight).toBeLessThanOrEqual(10);
    console.info(`maxInFlight observed: default ${defaultMax}, --concurrency 10: ${h.double.maxInFlight}`);
  });
});

describe('status --check --deep calls the Sellers API for seller profiles', () => {
  it('lists DE for a seller and skips a vendor profile, saying why', async () => {
    const h = await harness();
    const seller = `${h.s.prefix}-seller`;
    const vendor = `${h.s.prefix}-vendor`;
    await h.addProfile(seller);
    await h.addProfile(vendor, { vendor: true });
    const table = await h.run(['status', '--deep']);
    expect(table.exitCode, String(table.stderr)).toBe(0);
    expect(String(table.stdout)).toMatch(/STATE\s+CHECK\s+MARKETPLACES$/m);
    expect(String(table.stdout)).toMatch(new RegExp(`^${seller}\\s.*\\sok\\s+DE$`, 'm'));
    expect(String(table.stdout)).toMatch(new RegExp(`^${vendor}\\s.*\\sok\\s+skipped \\(vendor\\)$`, 'm'));
    expect(String(table.stderr)).toContain(`${vendor}: --deep skipped: vendor tokens cannot call the Sellers API`);

    const report = json(await h.run(['status', '--check', '--deep', '--json']));
    const byName = Object.fromEntries(report.profiles.map((p: { profile: string }) => [p.profile, p]));
    expect(byName[seller]).toMatchObject({ checked: true, marketplaces: ['DE'] });
    expect(byName[vendor]).toMatchObject({ checked: true, marketplaces: null });
    expect(byName[vendor].check.message).toContain('vendor tokens cannot call the Sellers API');
  });

  it('exits 4 with Amazon\'s message when the Sellers API refuses the access token', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-seller`;
    await h.addProfile(p);
    // LWA hands out a token the double never minted: the Sellers API answers 403.
    h.double.faults.body = JSON.stringify({ access_token: 'Atza|not-minted-here', token_type: 'bearer', expires_in: 3600 });
    const result = await h.run(['status', '--deep', '--json']);
    expect(result.exitCode).toBe(4);
    expect(json(result).profiles[0]).toMatchObject({ state: 'rejected', checked: false, marketplaces: null });
    expect(json(result).profiles[0].check.message).toContain('HTTP 403: Unauthorized: Access to requested resource is denied.');
  });

  it('an expired client secret reported by the Sellers API is the app\'s problem: exit 9 naming the app and set-secret, not 4', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-seller`;
    await h.addProfile(p);
    h.double.faults.clientSecretExpired = true;
    const result = await h.run(['status', '--deep']);
    expect(result.exitCode, String(result.stderr)).toBe(9);
    expect(String(result.stdout)).toMatch(new RegExp(`^${p}\\s.*\\sok\\s+app rejected\\s+-$`, 'm'));
    expect(String(result.stderr)).toMatch(/LWA client secret of app ".*" has expired \(HTTP 403: .*The LWA secret token you provided has expired\.\)/);
    expect(String(result.stderr)).toContain(`amz-token app set-secret ${h.app}`);
    expect(String(result.stderr)).not.toContain('amz-token renew');
  });
});

describe('token prints a usable access token and nothing else', () => {
  it('prints exactly one line, caches it in the keychain (AMZ_TOKEN_CACHE=store), and a second call within the hour makes no LWA call', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const inStore = { AMZ_TOKEN_CACHE: 'store' };
    const first = await h.run(['token', '--profile', p], inStore);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stdout)).toMatch(/^Atza\|\S+$/);
    expect(String(first.stdout).split('\n')).toHaveLength(1);
    const cached = JSON.parse((await secretToolLookup(`profile/${p}/access-token`))!);
    expect(cached.accessToken).toBe(String(first.stdout));
    expect(Date.parse(cached.expiresAt)).toBeGreaterThan(Date.now() + 55 * 60 * 1000);

    const second = await h.run(['token'], { ...inStore, AMZ_TOKEN_PROFILE: p });
    expect(second.exitCode).toBe(0);
    expect(String(second.stdout)).toBe(String(first.stdout));
    expect(lwaCalls(h.double)).toBe(1);

    const asJson = await h.run(['token', '--profile', p, '--json'], inStore);
    expect(json(asJson)).toEqual({ accessToken: String(first.stdout), expiresAt: cached.expiresAt, profile: p });
    expect(lwaCalls(h.double)).toBe(1);
  });

  it('writes exactly "<token>\\n" to stdout', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    // execa strips the final newline; read the raw bytes instead.
    const raw = await execa('node', [BIN, 'token', '--profile', p], {
      env: { ...h.s.env, AMZ_TOKEN_LWA_URL: h.double.lwaUrl },
      stripFinalNewline: false,
      reject: false,
    });
    expect(raw.exitCode).toBe(0);
    expect(raw.stdout).toMatch(/^Atza\|[^\s]+\n$/);
    expect(h.secrets.some((secret) => String(raw.stderr).includes(secret))).toBe(false);
  });

  it('refreshes when less than five minutes remain on the token cached in the keychain (AMZ_TOKEN_CACHE=store)', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    await execa('secret-tool', ['store', '--label', 'test', 'service', 'amz-token', 'username', `profile/${p}/access-token`], {
      input: JSON.stringify({ accessToken: 'Atza|almost-stale', expiresAt: new Date(Date.now() + 4 * 60 * 1000).toISOString() }),
    });
    const result = await h.run(['token', '--profile', p], { AMZ_TOKEN_CACHE: 'store' });
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).not.toContain('almost-stale');
    expect(lwaCalls(h.double)).toBe(1);
  });

  it('writes nothing on stdout when it fails: revoked (4), Amazon down (7), unknown profile (5), no profile (2)', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    h.double.revoke(await h.addProfile(p, { authorizedAt: daysAgo(400) }));
    const revoked = await h.run(['token', '--profile', p]);
    expect(revoked.exitCode).toBe(4);
    expect(String(revoked.stdout)).toBe('');
    expect(String(revoked.stderr)).toContain(`amz-token renew --profile ${p}`);

    const down = `${h.s.prefix}-down`;
    await h.addProfile(down);
    h.double.faults.tokenStatus = 503;
    const unavailable = await h.run(['token', '--profile', down]);
    expect(unavailable.exitCode).toBe(7);
    expect(String(unavailable.stdout)).toBe('');

    const unknown = await h.run(['token', '--profile', `${h.s.prefix}-ghost`]);
    expect(unknown.exitCode).toBe(5);
    expect(String(unknown.stdout)).toBe('');
    const none = await h.run(['token']);
    expect(none.exitCode).toBe(2);
    expect(String(none.stdout)).toBe('');
  });

  it('with AMZ_TOKEN_REFRESH_TOKEN and AMZ_TOKEN_CLIENT_SECRET needs no keychain and caches nothing', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    const token = await h.addProfile(p);
    const ci = { ...NO_BUS, AMZ_TOKEN_REFRESH_TOKEN: token, AMZ_TOKEN_CLIENT_SECRET: FAKE.clientSecret };
    const first = await h.run(['token', '--profile', p], ci);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stdout)).toMatch(/^Atza\|\S+$/);
    const second = await h.run(['token', '--profile', p], ci);
    expect(second.exitCode).toBe(0);
    expect(lwaCalls(h.double)).toBe(2);
    expect(await secretToolLookup(`profile/${p}/access-token`)).toBeNull();

    // The overrides replace one profile's token: applied to several they would prove nothing.
    await h.addProfile(`${h.s.prefix}-other`);
    const many = await h.run(['status', '--check'], ci);
    expect(many.exitCode).toBe(2);
    expect(String(many.stderr)).toContain('AMZ_TOKEN_REFRESH_TOKEN overrides the refresh token of one profile');
  });
});
