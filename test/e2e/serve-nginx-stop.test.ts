// serve's bounds as a seller behind the shipped nginx meets them (issue 23, attacks 4, 5 and 7):
// Login with Amazon never answering ends in "try again" from serve within its deadline, not in
// nginx's bare 504; SIGTERM during a callback lets it finish both writes and answer; with
// --log-format json every line on stderr is one JSON object. A file of its own: it stops serve.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestKeyring } from '../support/cli.js';
import { confirmConsent } from '../support/flow.js';
import { startServeRig, type ServeRig } from '../support/serve-rig.js';
import { cookiesOf, proxyTarget, viaProxy, type ProxyAnswer } from '../support/nginx-tls.js';

let rig: ServeRig;

beforeAll(async () => {
  requireTestKeyring();
  rig = await startServeRig({ nginx: true, rate: '6000r/m', serveArgs: ['--log-format', 'json'] });
});

afterAll(async () => {
  await rig?.close();
});

const via = (target: string, headers: Record<string, string> = {}) => viaProxy(proxyTarget(rig.nginx!), target, 'GET', headers);
const consentOf = (landing: ProxyAnswer) => /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(landing.body)![1]!.replaceAll('&amp;', '&');
const config = () => JSON.parse(readFileSync(`${rig.s.configDir}/config.json`, 'utf8')) as { profiles: Record<string, { expiresAt: string; identity?: unknown }>; invitations: Record<string, { profile: string; usedAt?: string }> };
const invitationOf = (profile: string) => Object.values(config().invitations).find((i) => i.profile === profile)!;

/** A renewal invitation opened and confirmed: the callback address and the browser's cookie. */
async function confirmed(profile: string): Promise<{ target: string; cookie: string }> {
  const landing = await via(await rig.invite(profile));
  const callback = new URL(await confirmConsent(consentOf(landing)));
  return { target: `${callback.pathname}${callback.search}`, cookie: cookiesOf(landing) };
}

describe('serve within its bounds, behind nginx', () => {
  it('warns (in JSON) when it listens beyond loopback, and refuses a --trust-proxy that is not addresses (one JSON line, exit 2)', async () => {
    const wide = rig.s.start(['serve', '--listen', '0.0.0.0:0', '--base-url', rig.baseUrl, '--log-format', 'json', '--trust-proxy', '127.0.0.1,10.0.0.0/8'], { timeout: 60_000 });
    try {
      for (let i = 0; i < 400 && !wide.stderr().includes('beyond this machine'); i++) await new Promise((r) => setTimeout(r, 25));
      const lines = wide.stderr().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { event: string; message?: string; trustProxy?: string });
      expect(lines[0]).toMatchObject({ event: 'listening', trustProxy: '127.0.0.1,10.0.0.0/8' });
      expect(lines[1]).toMatchObject({ event: 'warning', message: expect.stringMatching(/^listening on 0\.0\.0\.0, beyond this machine/) });
    } finally {
      wide.child.kill('SIGTERM');
      await wide.child;
    }
    const bad = await rig.s.run(['serve', '--listen', '127.0.0.1:0', '--base-url', rig.baseUrl, '--trust-proxy', 'proxy.example']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toMatch(/--trust-proxy takes addresses or CIDR ranges/);
    const badRange = await rig.s.run(['serve', '--listen', '127.0.0.1:0', '--base-url', rig.baseUrl, '--trust-proxy', '10.0.0.0/33', '--log-format', 'json']);
    expect(badRange.exitCode).toBe(2);
    expect(JSON.parse(String(badRange.stderr).trim())).toMatchObject({ event: 'error', message: expect.stringMatching(/--trust-proxy/) });
  });

  it('attack 5: Login with Amazon never answers: serve gives up at its deadline with "try again", well before nginx would; old token, dates and invitation stay', async () => {
    const profile = `${rig.s.prefix}-slow`;
    const before = await rig.profile(profile);
    const { target, cookie } = await confirmed(profile);
    const profileBefore = config().profiles[profile];
    rig.double.faults.hang = true;
    let answer: ProxyAnswer;
    try {
      answer = await via(target, { cookie });
    } finally {
      delete rig.double.faults.hang;
    }
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/\/result\/try-again$/);
    const page = await via(answer.location!);
    expect(page.status).toBe(503);
    expect(page.body).toContain('try again in a few minutes with the same link');
    expect(await rig.refreshToken(profile)).toBe(before);
    expect(config().profiles[profile]).toEqual(profileBefore);
    expect(invitationOf(profile).usedAt).toBeUndefined();
    const failed = rig.serve.stderr().split('\n').filter((line) => line.includes('"store-failed"')).map((line) => JSON.parse(line) as Record<string, string>);
    expect(failed.at(-1)).toMatchObject({ event: 'store-failed', profile, reason: expect.stringMatching(/deadline/) });
  });

  it('attack 4 and 7: SIGTERM while a callback is under way: both writes land, the seller gets the done page, serve exits 0, and every stderr line is JSON', async () => {
    const profile = `${rig.s.prefix}-sigterm`;
    const before = await rig.profile(profile);
    const { target, cookie } = await confirmed(profile);
    const expiresBefore = config().profiles[profile]!.expiresAt;
    // config.json readable by others: serve says so (in JSON) when it next reads it.
    chmodSync(`${rig.s.configDir}/config.json`, 0o644);
    rig.double.faults.delayMs = 1500;
    const codeExchanges = () => rig.double.requests.filter((r) => r.form?.grant_type === 'authorization_code').length;
    const exchangesBefore = codeExchanges();
    const answer = via(target, { cookie });
    // SIGTERM only once serve is waiting on LWA for this callback's code.
    for (let i = 0; i < 200 && codeExchanges() === exchangesBefore; i++) await new Promise((r) => setTimeout(r, 25));
    expect(codeExchanges()).toBe(exchangesBefore + 1);
    const exitCode = rig.stopServe();
    const finished = await answer;
    delete rig.double.faults.delayMs;
    expect(finished.status).toBe(303);
    expect(finished.location).toMatch(/\/done$/);
    expect(await exitCode).toBe(0);
    const after = await rig.refreshToken(profile);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(Date.parse(config().profiles[profile]!.expiresAt)).toBeGreaterThan(Date.parse(expiresBefore));
    expect(config().profiles[profile]!.identity).toBeDefined();
    expect(invitationOf(profile).usedAt).toBeDefined();

    const lines = rig.serve.stderr().split('\n').filter((line) => line !== '');
    const events = lines.map((line) => {
      try {
        return (JSON.parse(line) as { event: string; message?: string }).event;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    expect(events).toEqual(expect.arrayContaining(['listening', 'warning', 'authorization-stored', 'stopping', 'stopped']));
    expect(rig.serve.stderr()).toMatch(/"event":"warning","message":"[^"]*readable by others/);
    expect(rig.serve.stderr()).not.toMatch(/spapi_oauth_code=|Atzr\|/);
  });
});

describe('SIGTERM during a slow store (issue 23, attack 4 as reported)', () => {
  const HELPERS = resolve(import.meta.dirname, '../support/credential-helpers');
  const helperDir = mkdtempSync(join(tmpdir(), 'amz-token-slow-store-'));
  let slow: ServeRig;

  beforeAll(async () => {
    // The team store is a credential helper that can be held in the middle of one write.
    slow = await startServeRig({
      nginx: true,
      rate: '6000r/m',
      serveArgs: ['--log-format', 'json'],
      env: { AMZ_TOKEN_STORE: 'helper:blocks-when-asked', FAKE_HELPER_DIR: helperDir, PATH: `${HELPERS}:${process.env.PATH ?? ''}` },
    });
  });

  afterAll(async () => {
    await slow?.close();
  });

  it('the store is held when SIGTERM comes: serve finishes the secret, then config.json and the invitation, answers the seller, and exits 0', async () => {
    const profile = `${slow.s.prefix}-held`;
    await slow.profile(profile);
    const viaSlow = (target: string, headers: Record<string, string> = {}) => viaProxy(proxyTarget(slow.nginx!), target, 'GET', headers);
    const landing = await viaSlow(await slow.invite(profile));
    const callback = new URL(await confirmConsent(consentOf(landing)));
    const configPath = `${slow.s.configDir}/config.json`;
    const expiresBefore = (JSON.parse(readFileSync(configPath, 'utf8')) as { profiles: Record<string, { expiresAt: string }> }).profiles[profile]!.expiresAt;
    writeFileSync(join(helperDir, 'block-next'), '');
    const answer = viaSlow(`${callback.pathname}${callback.search}`, { cookie: cookiesOf(landing) });
    for (let i = 0; i < 400 && !existsSync(join(helperDir, 'blocked')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(join(helperDir, 'blocked'))).toBe(true);
    const exitCode = slow.stopServe();
    // Held well past the old 10 s grace would be too slow for the suite; 3 s after SIGTERM shows the order.
    await new Promise((r) => setTimeout(r, 3000));
    expect(slow.serve.child.exitCode).toBeNull();
    writeFileSync(join(helperDir, 'release'), '');
    const finished = await answer;
    expect(finished.status).toBe(303);
    expect(finished.location).toMatch(/\/done$/);
    expect(await exitCode).toBe(0);
    const after = JSON.parse(readFileSync(configPath, 'utf8')) as { profiles: Record<string, { expiresAt: string }>; invitations: Record<string, { profile: string; usedAt?: string }> };
    expect(Date.parse(after.profiles[profile]!.expiresAt)).toBeGreaterThan(Date.parse(expiresBefore));
    expect(Object.values(after.invitations).find((i) => i.profile === profile)!.usedAt).toBeDefined();
    const lines = slow.serve.stderr().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { event: string; message?: string });
    expect(lines.find((line) => line.event === 'warning' && /SIGTERM received: finishing storing/.test(line.message ?? ''))).toBeDefined();
    expect(lines.map((line) => line.event)).toEqual(expect.arrayContaining(['stopping', 'authorization-stored', 'stopped']));
  });
});
