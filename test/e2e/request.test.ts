// End to end: `request` and `renew` through the built binary, real headless
// Chromium, the Amazon double on loopback, and a real gnome-keyring.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day, DAY_MS } from '../support/dates.js';
import { flowRig, driverFinished, consentUrlFrom, confirmConsent, waitForOutput, freePort, startHttpsHost, relayPageHtml, type FlowRig } from '../support/flow.js';

beforeAll(() => requireTestKeyring());

const rigs: FlowRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});
async function rig(options: Parameters<typeof flowRig>[0] = {}) {
  const r = await flowRig(options);
  rigs.push(r);
  return r;
}

function profileOf(r: FlowRig, name: string) {
  return JSON.parse(readFileSync(join(r.s.configDir, 'config.json'), 'utf8')).profiles[name];
}

function expectNoSecretsIn(r: FlowRig, ...texts: string[]) {
  const tokens = r.double.requests.flatMap((q) => [q.form?.code, q.form?.client_secret]).filter(Boolean) as string[];
  for (const text of [...texts, r.s.configText()]) {
    expect(text).not.toContain(FAKE.clientSecret);
    expect(text).not.toMatch(/Atzr\|/);
    for (const t of tokens) expect(text).not.toContain(t);
  }
}

describe('request in real Chromium', () => {
  it('authorizes through the consent page and a loopback redirect URI, and stores the token in the keychain', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-de`;
    const result = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--timeout', '60']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const landed = await driverFinished(r);
    expect(landed.event).toBe('landed');
    expect(String(landed.text)).toMatch(/Authorization received/i);
    expect(String(landed.url)).toMatch(/\/cb\/done$/);

    const stored = await secretToolLookup(`profile/${profile}/refresh-token`);
    expect(stored).toMatch(/^Atzr\|/);
    const p = profileOf(r, profile);
    expect(p).toMatchObject({ app: r.app, region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3TESTSELLER01' });
    expect(Date.parse(p.expiresAt) - Date.parse(p.authorizedAt)).toBe(365 * 86_400_000);
    expect(String(result.stdout)).toContain(`Authorized ${profile}: selling partner A3TESTSELLER01`);
    expect(String(result.stdout)).toContain(`amz-token renew --profile ${profile}`);
    expect(String(result.stderr)).toContain('/apps/authorize/consent?application_id=');
    expectNoSecretsIn(r, String(result.stdout), String(result.stderr), stored === null ? '' : '');
    const exchange = r.double.requests.filter((q) => q.form?.grant_type === 'authorization_code');
    expect(exchange).toHaveLength(1);
    expect(exchange[0]!.form!.redirect_uri).toBe(r.redirectUri);
  });

  it('follows the Login URI detour of a draft app (relative amazon_callback_uri) and adds version=beta', async () => {
    const redirectUri = `http://127.0.0.1:${await freePort()}/cb`;
    const r = await rig({ redirectUri, loginUri: redirectUri, draft: true, double: { loginDetour: 'relative' } });
    const profile = `${r.s.prefix}-detour`;
    const result = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--timeout', '60']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain('version=beta');
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toMatch(/^Atzr\|/);
    // With loginDetour set, the double issues a code only after the detour
    // came back with its amazon_state and version=beta, so success proves the 302.
    expect((await driverFinished(r)).url).toMatch(/\/cb\/done$/);
  });

  it('a Cancel on the consent page never calls back: exit 6 at the timeout, nothing stored', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-cancel`;
    const result = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--timeout', '6'], {
      env: { DRIVER_ACTION: 'cancel' },
    });
    expect(result.exitCode).toBe(6);
    expect(String(result.stderr)).toMatch(/no authorization arrived within 6 s; nothing was stored/);
    expect((await driverFinished(r)).event).toBe('landed');
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBeNull();
    expect(r.s.configText()).not.toContain(profile);
  });
});

describe('relay mode, in real Chromium', () => {
  it('the relay page on an https host forwards the callback, also through the Login URI detour', async () => {
    const port = await freePort();
    const host = await startHttpsHost(await relayPageHtml(port));
    try {
      const redirectUri = `${host.origin}/amz-token/`;
      const r = await rig({ redirectUri, loginUri: redirectUri, double: { loginDetour: true } });
      const profile = `${r.s.prefix}-relay`;
      const result = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'FR', '--port', String(port), '--timeout', '60']);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(String(result.stderr)).toContain('relay mode');
      const landed = await driverFinished(r);
      expect(String(landed.url)).toBe(`http://127.0.0.1:${port}/amz-token/callback/done`);
      const visited = r.driverEvents().filter((e) => e.event === 'navigated').map((e) => String(e.url));
      expect(visited.filter((u) => u.startsWith(redirectUri)).length).toBeGreaterThanOrEqual(2); // Login URI, then redirect URI
      expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toMatch(/^Atzr\|/);
      expect(r.double.requests[0]!.form!.redirect_uri).toBe(redirectUri);
    } finally {
      await host.close();
    }
  });
});

describe('request without a browser', () => {
  it('paste-back: the address bar URL pasted on stdin completes the flow', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    const profile = `${r.s.prefix}-paste`;
    const run = r.s.start(['request', '--profile', profile, '--app', r.app, '--marketplace', 'UK', '--no-browser', '--port', '0', '--timeout', '60']);
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    expect(new URL(consent).searchParams.get('redirect_uri')).toBe('https://relay.example.com/amz-token/');
    const landing = await confirmConsent(consent);
    run.child.stdin!.write(`  ${landing}\r\n`);
    const result = await run.child;
    expect(result.exitCode, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('(pasted)');
    expect(r.driverEvents()).toEqual([]); // --no-browser opened nothing
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toMatch(/^Atzr\|/);
    expect(profileOf(r, profile)).toMatchObject({ marketplace: 'UK', region: 'eu' });
    expectNoSecretsIn(r, run.stdout(), run.stderr());
  });

  it('end of input on stdin does not end the wait: the callback still completes it', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-eof`;
    const run = r.s.start(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '60']);
    run.child.stdin!.end();
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    const landing = await confirmConsent(consent);
    const callback = await fetch(landing, { redirect: 'manual' });
    expect(callback.status).toBe(303);
    const result = await run.child;
    expect(result.exitCode, run.stderr()).toBe(0);
  });

  it('a tampered state gets an error page, does not complete, and exits 6 at the timeout', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-tamper`;
    const run = r.s.start(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '5']);
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    const landing = new URL(await confirmConsent(consent));
    landing.searchParams.set('state', landing.searchParams.get('state')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    const forged = await fetch(landing, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(await forged.text()).not.toContain(landing.searchParams.get('spapi_oauth_code')!);
    const result = await run.child;
    expect(result.exitCode).toBe(6);
    expect(run.stderr()).toMatch(/state/);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBeNull();
    expect(r.double.requests).toHaveLength(0);
  });

  it('a code that was already used is rejected once, not retried: exit 6', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    const code = r.double.issueCode({ applicationId: FAKE.appId, redirectUri: r.redirectUri });
    const burn = await fetch(r.double.lwaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: r.redirectUri, client_id: FAKE.clientId, client_secret: FAKE.clientSecret }),
    });
    expect(burn.status).toBe(200);
    const profile = `${r.s.prefix}-reuse`;
    const result = await r.s.run(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '30'], {
      input: `${code}\n`,
    });
    expect(result.exitCode).toBe(6);
    expect(String(result.stderr)).toMatch(/Amazon rejected the authorization code \(invalid_grant/);
    expect(r.double.requests.filter((q) => q.form?.code === code)).toHaveLength(2); // ours once, never again
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBeNull();
    expectNoSecretsIn(r, String(result.stdout), String(result.stderr));
  });

  it('a code older than five minutes is rejected: exit 6', async () => {
    let clock = Date.now();
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/', double: { now: () => clock } });
    const code = r.double.issueCode({ applicationId: FAKE.appId, redirectUri: r.redirectUri });
    clock += 5 * 60_000 + 1000;
    const result = await r.s.run(['request', '--profile', `${r.s.prefix}-old`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '30'], {
      input: `${code}\n`,
    });
    expect(result.exitCode).toBe(6);
    expect(String(result.stderr)).toMatch(/invalid_grant/);
  });

  it('a wrong client secret exits 9 and names the app', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/', storedSecret: 'amzn1.oa2-cs.v1.wrongsecret0000' });
    const code = r.double.issueCode({ applicationId: FAKE.appId, redirectUri: r.redirectUri });
    const result = await r.s.run(['request', '--profile', `${r.s.prefix}-bad`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '30'], {
      input: `${code}\n`,
    });
    expect(result.exitCode).toBe(9);
    expect(String(result.stderr)).toContain(`app "${r.app}"`);
    expect(String(result.stderr)).toContain(`amz-token app set-secret ${r.app}`);
    expect(String(result.stderr)).not.toContain('wrongsecret');
  });

  it('LWA down (503 on every try) exits 7 after bounded retries', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    r.double.faults.tokenStatus = 503;
    const code = r.double.issueCode({ applicationId: FAKE.appId, redirectUri: r.redirectUri });
    const result = await r.s.run(['request', '--profile', `${r.s.prefix}-down`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '30'], {
      input: `${code}\n`,
    });
    expect(result.exitCode).toBe(7);
    expect(String(result.stderr)).toMatch(/unreachable or failing: HTTP 503/);
    expect(r.double.requests).toHaveLength(3);
  });

  it('a busy port gives a clear message naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await rig({ redirectUri: `http://127.0.0.1:${port}/cb` });
      const result = await r.s.run(['request', '--profile', `${r.s.prefix}-busy`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '5']);
      expect(result.exitCode).toBe(6);
      expect(String(result.stderr)).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('Ctrl-C while waiting exits 6 and stores nothing', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-sigint`;
    const run = r.s.start(['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '60']);
    await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?'));
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode).toBe(6);
    expect(run.stderr()).toMatch(/cancelled by SIGINT; nothing was stored/);
    expect(r.s.configText()).not.toContain(profile);
  });
});

describe('renew', () => {
  // Authorized 200 days ago at 08:00 UTC: it expires 165 days from today, at 08:00.
  const authorizedDay = day(-200);
  const oldExpiryDay = day(165);
  async function imported(r: FlowRig, profile: string, sellingPartnerId = 'A3TESTSELLER01') {
    const oldToken = r.double.issueRefreshToken(FAKE.clientId, sellingPartnerId);
    const result = await r.s.run(
      ['import', '--profile', profile, '--app', r.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', sellingPartnerId, '--authorized-at', `${authorizedDay}T08:00:00Z`],
      { input: oldToken },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    return oldToken;
  }

  it('renews in Chromium: new token stored, expiry restarts, old and new expiry shown', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-renew`;
    const oldToken = await imported(r, profile);
    const result = await r.s.run(['renew', '--profile', profile, '--timeout', '60']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const stored = await secretToolLookup(`profile/${profile}/refresh-token`);
    expect(stored).toMatch(/^Atzr\|/);
    expect(stored).not.toBe(oldToken);
    expect(String(result.stdout)).toMatch(new RegExp(`Expiry moved from ${oldExpiryDay} 08:00 \\(in 16[45] days\\) to \\d{4}-\\d{2}-\\d{2}`));
    expect(Date.parse(profileOf(r, profile).expiresAt)).toBeGreaterThan(Date.now() + 364 * DAY_MS);
  });

  it('keeps the old token and profile when the exchange fails', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    const profile = `${r.s.prefix}-keep`;
    const oldToken = await imported(r, profile);
    const before = readFileSync(join(r.s.configDir, 'config.json'), 'utf8');
    r.double.faults.tokenStatus = 500;
    const code = r.double.issueCode({ applicationId: FAKE.appId, redirectUri: r.redirectUri });
    // --force: renew takes a bare code (no selling partner id to check) only with it.
    const result = await r.s.run(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '30', '--force'], { input: `${code}\n` });
    expect(result.exitCode).toBe(7);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(oldToken);
    expect(readFileSync(join(r.s.configDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('a lapsed grant of a profile with no recorded identity renews when Amazon names its seller id, and the identity is recorded', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    const profile = `${r.s.prefix}-lapsed`;
    const oldToken = await imported(r, profile);
    r.double.revoke(oldToken); // the usual renewal: the old grant no longer tells Amazon who it was
    expect(profileOf(r, profile).identity).toBeUndefined();
    const run = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '30']);
    const landing = await confirmConsent(consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?'))));
    run.child.stdin!.write(`${landing}\n`);
    expect((await run.child).exitCode, run.stderr()).toBe(0);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).not.toBe(oldToken);
    expect(profileOf(r, profile).identity).toMatchObject({ sellerId: 'A3TESTSELLER01' });

    // Without the Pricing role Amazon names no seller id: a lapsed grant with nothing recorded cannot be vouched for.
    const other = `${r.s.prefix}-lapsed-np`;
    const otherToken = await imported(r, other);
    r.double.revoke(otherToken);
    r.double.setRoles(FAKE.clientId, ['Sellers']);
    try {
      const refused = r.s.start(['renew', '--profile', other, '--no-browser', '--port', '0', '--timeout', '30']);
      const landing2 = await confirmConsent(consentUrlFrom(await waitForOutput(refused.stderr, (t) => t.includes('/apps/authorize/consent?'))));
      refused.child.stdin!.write(`${landing2}\n`);
      expect((await refused.child).exitCode).toBe(6);
      expect(await secretToolLookup(`profile/${other}/refresh-token`)).toBe(otherToken);
    } finally {
      r.double.setRoles(FAKE.clientId, undefined);
    }
  });

  it('refuses a different seller (exit 6, nothing stored) unless --force', async () => {
    const r = await rig({ redirectUri: 'https://relay.example.com/amz-token/' });
    const profile = `${r.s.prefix}-other`;
    const oldToken = await imported(r, profile);
    const before = readFileSync(join(r.s.configDir, 'config.json'), 'utf8');
    r.double.sellingPartnerId = 'A9OTHERSELLER9';

    const run = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '30']);
    const landing = await confirmConsent(consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?'))));
    run.child.stdin!.write(`${landing}\n`);
    const refused = await run.child;
    expect(refused.exitCode).toBe(6);
    expect(run.stderr()).toContain('Amazon authorized selling partner A9OTHERSELLER9, but profile');
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(oldToken);
    expect(readFileSync(join(r.s.configDir, 'config.json'), 'utf8')).toBe(before);

    const forced = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '30', '--force']);
    const landing2 = await confirmConsent(consentUrlFrom(await waitForOutput(forced.stderr, (t) => t.includes('/apps/authorize/consent?'))));
    forced.child.stdin!.write(`${landing2}\n`);
    expect((await forced.child).exitCode, forced.stderr()).toBe(0);
    expect(profileOf(r, profile).sellingPartnerId).toBe('A9OTHERSELLER9');
  });
});
