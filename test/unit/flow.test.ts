// request and renew run in-process, with a fake browser that confirms consent
// over HTTP against the Amazon double and reaches amz-token's real callback
// server (as wrangler's tests drive its OAuth flow). The keychain is in memory;
// test/e2e covers the real one and Chromium.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createServer, type Server } from 'node:net';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { fakeEnvironment, FAKE, type FakeEnvironment } from '../support/fake-deps.js';
import { fakeBrowser, type FakeBrowser } from '../support/fake-browser.js';
import { freePort } from '../support/flow.js';

const doubles: AmazonDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.close()));
});

interface Rig {
  double: AmazonDouble;
  env: FakeEnvironment;
  browser: FakeBrowser;
}

/** A double with one app whose redirect URI is loopback (or its Login URI too), and that app added. */
async function rig(options: { loginDetour?: 'relative'; draft?: boolean; followRedirect?: boolean } = {}): Promise<Rig> {
  const redirectUri = `http://127.0.0.1:${await freePort()}/cb`;
  const double = await startAmazonDouble({
    apps: [
      {
        applicationId: FAKE.appId,
        clientId: FAKE.clientId,
        clientSecret: FAKE.clientSecret,
        redirectUris: [redirectUri],
        ...(options.loginDetour ? { loginUri: redirectUri } : {}),
        ...(options.draft ? { draft: true } : {}),
      },
    ],
    ...(options.loginDetour ? { loginDetour: options.loginDetour } : {}),
  });
  doubles.push(double);
  let browser = fakeBrowser({ followRedirect: options.followRedirect ?? true });
  const env = fakeEnvironment({
    now: new Date(),
    env: { AMZ_TOKEN_CENTRAL_URL: double.origin, AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin },
    // Each flow gets a fresh browser, as each run opens a new tab.
    openBrowser: (url) => browser.open(url),
  });
  const added = await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', redirectUri, ...(options.draft ? ['--draft'] : [])], FAKE.clientSecret);
  expect(added.code, added.stderr).toBe(0);
  return {
    double,
    env,
    get browser() {
      return browser;
    },
    set browser(next) {
      browser = next;
    },
  };
}

const request = ['request', '--profile', 'shop-de', '--app', 'my-app', '--marketplace', 'DE', '--timeout', '30'];

describe('request and renew in-process', () => {
  it('request: the browser confirms, the callback completes the flow, the refresh token and profile are stored', async () => {
    const { env, browser, double } = await rig();
    const result = await env.run(request);
    expect(result.code, result.stderr).toBe(0);
    expect(await browser.landed()).toMatchObject({ status: 200 });
    expect(env.store.items.get('profile/shop-de/refresh-token')).toMatch(/^Atzr\|/);
    const status = JSON.parse((await env.run(['status', '--json'])).stdout);
    expect(status.profiles[0]).toMatchObject({ profile: 'shop-de', sellingPartnerId: double.sellingPartnerId, state: 'ok' });
  });

  it('follows the Login URI detour of a draft app back to Amazon, with version=beta', async () => {
    const { env, browser } = await rig({ loginDetour: 'relative', draft: true });
    const result = await env.run(request);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Amazon asked for the Login URI step');
    expect(new URL(await browser.confirmed()).searchParams.get('amazon_callback_uri')).toBe('/apps/authorize/callback');
    expect(env.store.items.get('profile/shop-de/refresh-token')).toMatch(/^Atzr\|/);
  });

  it('renew refuses a different selling partner (exit 6) and keeps the old token, unless --force', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    const oldToken = r.env.store.items.get('profile/shop-de/refresh-token');
    r.double.sellingPartnerId = 'A9OTHERSELLER9';
    r.browser = fakeBrowser();
    const refused = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('Amazon authorized selling partner A9OTHERSELLER9, but profile "shop-de" belongs to A3TESTSELLER01; nothing was stored');
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toBe(oldToken);

    r.browser = fakeBrowser();
    const forced = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).not.toBe(oldToken);
    expect(JSON.parse((await r.env.run(['status', '--json'])).stdout).profiles[0].sellingPartnerId).toBe('A9OTHERSELLER9');
  });

  it('paste-back wins the race: the pasted address completes the flow; the same callback arriving meanwhile goes to the done page, not in line', async () => {
    const r = await rig({ followRedirect: false });
    // Slow LWA down, so the server is still up when the browser's callback arrives after the paste.
    r.double.faults.delayMs = 500;
    const stdin = new PassThrough();
    const run = r.env.run(request, stdin);
    const address = await r.browser.confirmed();
    stdin.write(`${address}\n`);
    await waitFor(() => r.double.requests.length === 1);
    const late = await fetch(address);
    const flow = await run;
    expect(flow.code, flow.stderr).toBe(0);
    expect(flow.stderr).toContain('accepted the pasted address');
    expect(flow.stderr).toContain('Received the authorization code (pasted)');
    // The pasted code is still on trial at LWA, but this is the same code: it is not tried twice.
    expect(late.status).toBe(200);
    expect(late.redirected).toBe(true);
    expect(r.double.requests).toHaveLength(1);
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toMatch(/^Atzr\|/);
  });
});

describe('paste-back that goes wrong leaves the flow waiting for the seller', () => {
  /** Starts `argv` with stdin open; the browser confirmed on Amazon but its callback has not reached amz-token yet. */
  async function waiting(r: Rig, argv: string[]) {
    const stdin = new PassThrough();
    let stderr = '';
    const run = r.env.run(argv, stdin, { stderr: (text) => (stderr = text) });
    const address = await r.browser.confirmed();
    return {
      run,
      address,
      paste: (line: string) => stdin.write(`${line}\n`),
      shown: (text: string) => waitFor(() => stderr.includes(text)),
    };
  }

  it('a stray word typed into the terminal is not taken for a code; the callback that follows completes the flow', async () => {
    const r = await rig({ followRedirect: false });
    const flow = await waiting(r, request);
    flow.paste('password123');
    await flow.shown('that is neither the address from the browser nor an authorization code');
    expect(r.double.requests).toHaveLength(0);
    await fetch(flow.address);
    const result = await flow.run;
    expect(result.code, result.stderr).toBe(0);
    expect(r.double.requests).toHaveLength(1);
  });

  it('a pasted code that Amazon rejects is set aside with a warning, and the seller\'s callback still completes the flow', async () => {
    const r = await rig({ followRedirect: false });
    const flow = await waiting(r, request);
    flow.paste('ANstrayCodeNotIssued');
    await flow.shown('Amazon rejected the pasted code (invalid_grant');
    await flow.shown('still waiting for the seller');
    await fetch(flow.address);
    const result = await flow.run;
    expect(result.code, result.stderr).toBe(0);
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toMatch(/^Atzr\|/);
  });

  it('a pasted address cut short inside the code is set aside too; the whole address pasted next completes the flow', async () => {
    const r = await rig({ followRedirect: false });
    const flow = await waiting(r, request);
    const codeAt = flow.address.indexOf('spapi_oauth_code=') + 'spapi_oauth_code='.length;
    flow.paste(flow.address.slice(0, codeAt + 7));
    await flow.shown('Amazon rejected the pasted code');
    flow.paste(flow.address);
    const result = await flow.run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Received the authorization code (pasted)');
  });

  it('times out with the errors Amazon\'s page may have shown, and the command that fixes each', async () => {
    const r = await rig({ followRedirect: false });
    const result = await r.env.run([...request.slice(0, -1), '1']);
    expect(result.code).toBe(6);
    const lines = result.stderr.split('\n');
    for (const code of ['MD1000', 'MD5101', 'MD5110', 'MD9100', 'SPDC8143']) expect(lines.some((line) => line.trimStart().startsWith(code)), code).toBe(true);
    expect(result.stderr).toContain('amz-token app set my-app --draft');
    expect(result.stderr).toContain('Manage Authorized Partners');
    expect(result.stderr).toMatch(/amz-token: no authorization arrived within 1 s; nothing was stored/);
  });
});

describe('renew asks Amazon who granted the new token', () => {
  it('a profile stored as UNKNOWN: another seller\'s grant is refused (exit 6, old token kept); its own seller\'s lands and records who Amazon says it is', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    // As an import without a seller id leaves it: Amazon knows the seller, config.json does not.
    const { updateConfig } = await import('../../src/config/config.js');
    await updateConfig(r.env.deps.configDir, (config) => {
      config.profiles['shop-de']!.sellingPartnerId = 'UNKNOWN';
      delete config.profiles['shop-de']!.identity;
    });
    const oldToken = r.env.store.items.get('profile/shop-de/refresh-token');
    r.double.sellingPartnerId = 'A9OTHERSELLER9';
    r.browser = fakeBrowser();
    const refused = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('Amazon does not confirm that this authorization comes from the seller of profile "shop-de" (another seller confirmed (seller id differs)); nothing was stored');
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toBe(oldToken);

    r.double.sellingPartnerId = 'A3TESTSELLER01';
    r.browser = fakeBrowser();
    const renewed = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30']);
    expect(renewed.code, renewed.stderr).toBe(0);
    const status = JSON.parse((await r.env.run(['status', '--json'])).stdout).profiles[0];
    expect(status).toMatchObject({ sellingPartnerId: 'A3TESTSELLER01', storeName: 'Store A3TESTSELLER01' });
  });
});

describe('renew of a vendor profile', () => {
  it('asks for --force before any browser opens (Amazon names no account for vendor apps), and with it renews', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    const { updateConfig } = await import('../../src/config/config.js');
    await updateConfig(r.env.deps.configDir, (config) => void (config.profiles['shop-de']!.role = 'vendor'));
    const oldToken = r.env.store.items.get('profile/shop-de/refresh-token');
    const requestsBefore = r.double.requests.length;
    r.browser = fakeBrowser();
    const refused = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^amz-token: profile "shop-de" is a vendor's: Amazon names no account for vendor apps/);
    expect(refused.stderr).toContain('amz-token renew --profile shop-de --force');
    expect(r.double.requests.length).toBe(requestsBefore); // no consent, no exchange
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toBe(oldToken);

    r.browser = fakeBrowser();
    const forced = await r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).not.toBe(oldToken);
  });
});

describe('a new authorization keeps what the operator keeps about the seller', () => {
  const contact = async (env: FakeEnvironment) => JSON.parse((await env.run(['profile', 'show', 'shop-de', '--json'])).stdout).contact;

  it('request --force keeps the contact, quietly', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    expect((await r.env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example', '--language', 'de'])).code).toBe(0);
    r.browser = fakeBrowser();
    const forced = await r.env.run([...request, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).not.toMatch(/warning/);
    expect(await contact(r.env)).toEqual({ email: 'ops@shop.example', language: 'de' });
  });

  it('renew keeps a contact set while the seller was at Amazon; request --force to another seller keeps it with a warning', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    r.browser = fakeBrowser({ followRedirect: false });
    const stdin = new PassThrough();
    const run = r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30'], stdin);
    const address = await r.browser.confirmed();
    // The renew read config.json before the browser opened; this write lands after that read.
    expect((await r.env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example'])).code).toBe(0);
    stdin.write(`${address}\n`);
    const renewed = await run;
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(await contact(r.env)).toEqual({ email: 'ops@shop.example', language: 'en' });

    r.double.sellingPartnerId = 'A9OTHERSELLER9';
    r.browser = fakeBrowser();
    const forced = await r.env.run([...request, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('warning: profile shop-de now belongs to selling partner A9OTHERSELLER9 (was A3TESTSELLER01) and keeps its contact ops@shop.example');
    expect(await contact(r.env)).toEqual({ email: 'ops@shop.example', language: 'en' });
  });
});

describe('renew and a profile replaced while the seller was at Amazon', () => {
  it('stores nothing (exit 6): the token imported meanwhile, for another seller, stays', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    r.browser = fakeBrowser({ followRedirect: false });
    const stdin = new PassThrough();
    const run = r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30'], stdin);
    const address = await r.browser.confirmed();
    const imported = await r.env.run(
      ['import', '--profile', 'shop-de', '--app', 'my-app', '--marketplace', 'DE', '--selling-partner-id', 'A9OTHERSELLER9', '--expires-at', new Date(Date.now() + 100 * 86_400_000).toISOString().slice(0, 10), '--force'],
      FAKE.refreshToken,
    );
    expect(imported.code, imported.stderr).toBe(0);
    stdin.write(`${address}\n`);
    const renewed = await run;
    expect(renewed.code).toBe(6);
    expect(renewed.stderr).toContain('profile "shop-de" was replaced by another command while its seller was at Amazon; nothing was stored');
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toBe(FAKE.refreshToken);
    expect(JSON.parse((await r.env.run(['status', '--json'])).stdout).profiles[0].sellingPartnerId).toBe('A9OTHERSELLER9');
  });
});

describe('renew with a pasted bare code', () => {
  it('is refused without --force, as it names no seller; the whole address then meets the different-seller guard', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    const oldToken = r.env.store.items.get('profile/shop-de/refresh-token');
    r.double.sellingPartnerId = 'A9OTHERSELLER9';
    r.browser = fakeBrowser({ followRedirect: false });
    const stdin = new PassThrough();
    let stderr = '';
    const run = r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30'], stdin, { stderr: (text) => (stderr = text) });
    const address = await r.browser.confirmed();
    const exchanges = r.double.requests.length;
    stdin.write(`${new URL(address).searchParams.get('spapi_oauth_code')}\n`);
    await waitFor(() => stderr.includes('paste the whole address'));
    expect(r.double.requests).toHaveLength(exchanges);
    stdin.write(`${address}\n`);
    const result = await run;
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('Amazon authorized selling partner A9OTHERSELLER9, but profile "shop-de" belongs to A3TESTSELLER01');
    expect(r.env.store.items.get('profile/shop-de/refresh-token')).toBe(oldToken);
  });

  it('is accepted with --force, keeping the profile\'s seller and saying so', async () => {
    const r = await rig();
    expect((await r.env.run(request)).code).toBe(0);
    r.browser = fakeBrowser({ followRedirect: false });
    const stdin = new PassThrough();
    const run = r.env.run(['renew', '--profile', 'shop-de', '--timeout', '30', '--force'], stdin);
    stdin.write(`${new URL(await r.browser.confirmed()).searchParams.get('spapi_oauth_code')}\n`);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("a pasted bare code carries no selling partner id; keeping the profile's");
  });
});

describe('hints that lead somewhere', () => {
  const occupied: Server[] = [];
  afterEach(async () => {
    await Promise.all(occupied.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  async function occupy(port: number): Promise<void> {
    const server = createServer();
    occupied.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }

  it('a port in use at a loopback redirect URI: the hint is app set with another URI, not --port, and it works', async () => {
    const { env } = await rig();
    const redirectUri = JSON.parse((await env.run(['app', 'list', '--json'])).stdout).apps[0].redirectUri as string;
    await occupy(Number(new URL(redirectUri).port));
    const result = await env.run([...request, '--no-browser']);
    expect(result.code).toBe(6);
    const [message, hint] = result.stderr.trim().split('\n').slice(-2);
    expect(message).toBe(`amz-token: port ${new URL(redirectUri).port} on 127.0.0.1 is already in use`);
    expect(hint).not.toContain('--port');
    const command = hint!.match(/amz-token (app set my-app --redirect-uri \S+)/)![1]!.replace('<port>', '8765').split(' ');
    expect((await env.run(command)).code).toBe(0);
  });

  it('a port in use in relay mode: the hint is --port', async () => {
    const env = fakeEnvironment({ now: new Date() });
    await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'], FAKE.clientSecret);
    const port = await freePort();
    await occupy(port);
    const result = await env.run([...request, '--no-browser', '--port', String(port)]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toMatch(/free it, or pick another with --port/);
  });
});

async function waitFor(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
