// serve's bounds as a seller behind the shipped nginx meets them (issue 23, attacks 4, 5 and 7):
// Login with Amazon never answering ends in "try again" from serve within its deadline, not in
// nginx's bare 504; SIGTERM during a callback lets it finish both writes and answer; with
// --log-format json every line on stderr is one JSON object. A file of its own: it stops serve.
import { chmodSync, readFileSync } from 'node:fs';
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
