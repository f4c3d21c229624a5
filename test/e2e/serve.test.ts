// End to end: `amz-token serve` spawned as the built binary on plain loopback
// http, `amz-token invite` making the links, the Amazon double as Seller
// Central and LWA (with the Login URI detour), and the real keychain. The
// seller is played with fetch; edge's tests do it with Chromium behind nginx.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { flowRig, freePort, waitForOutput, type FlowRig } from '../support/flow.js';

beforeAll(() => requireTestKeyring());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Served {
  r: FlowRig;
  base: string;
  run: ReturnType<FlowRig['s']['start']>;
}

async function served(logFormat: 'text' | 'json' = 'text'): Promise<Served> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/amz`;
  const r = await flowRig({ redirectUri: `${base}/callback`, loginUri: `${base}/login`, double: { loginDetour: true } });
  cleanups.push(() => r.close());
  const run = r.s.start(['serve', '--listen', `127.0.0.1:${port}`, '--base-url', base, '--log-format', logFormat]);
  cleanups.push(async () => {
    run.child.kill('SIGTERM');
    await run.child;
  });
  await waitForOutput(run.stderr, (t) => t.includes('listening'));
  return { r, base, run };
}

async function invite(s: Served, args: string[]): Promise<{ url: string; id: string }> {
  const result = await s.r.s.run(['invite', ...args, '--base-url', s.base, '--json']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return JSON.parse(String(result.stdout)) as { url: string; id: string };
}

/** The seller, without a browser: landing page, consent, Login URI detour (with the cookie), callback. */
async function sellerConfirms(invitationUrl: string): Promise<{ landing: Response; callback: Response; callbackUrl: string }> {
  const landing = await fetch(invitationUrl, { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
  const html = await landing.text();
  const cookie = landing.headers.get('set-cookie')?.split(';')[0] ?? '';
  const consent = /href="([^"]+\/apps\/authorize\/consent[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  if (!consent) throw new Error(`no consent link (HTTP ${landing.status}): ${html.slice(0, 400)}`);
  const consentPage = await (await fetch(consent)).text();
  const consentId = /name="consent_id" value="([^"]+)"/.exec(consentPage)?.[1];
  const confirm = await fetch(new URL('/apps/authorize/confirm', consent), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent_id: consentId!, authorize: 'yes', action: 'confirm' }).toString(),
    redirect: 'manual',
  });
  const loginUri = confirm.headers.get('location')!;
  expect(loginUri).toContain('/amz/login?');
  const login = await fetch(loginUri, { headers: { cookie }, redirect: 'manual' });
  expect(login.status).toBe(302);
  const back = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  const callbackUrl = back.headers.get('location')!;
  const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
  return { landing: new Response(html, { status: landing.status, headers: landing.headers }), callback, callbackUrl };
}

function config(s: Served) {
  return JSON.parse(readFileSync(join(s.r.s.configDir, 'config.json'), 'utf8'));
}

function expectNothingSecretIn(s: Served, text: string) {
  const codes = s.r.double.requests.flatMap((q) => [q.form?.code]).filter(Boolean) as string[];
  expect(text).not.toContain(FAKE.clientSecret);
  expect(text).not.toMatch(/Atzr\|/);
  for (const code of codes) expect(text).not.toContain(code);
  expect(text).not.toMatch(/state=|spapi_oauth_code/);
}

describe('amz-token serve with invitation links', () => {
  it('two new sellers confirm at the same moment: both land, each once, in the keychain and config', async () => {
    const s = await served();
    const [a, b] = [`${s.r.s.prefix}-a`, `${s.r.s.prefix}-b`];
    const first = await invite(s, ['--profile', a, '--app', s.r.app, '--marketplace', 'DE']);
    const second = await invite(s, ['--profile', b, '--app', s.r.app, '--marketplace', 'FR']);
    expect(first.url).toMatch(new RegExp(`^${s.base}/i/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));

    const [one, two] = await Promise.all([sellerConfirms(first.url), sellerConfirms(second.url)]);
    expect(one.landing.status).toBe(200);
    expect(await one.landing.text()).toContain('Weiter zu Seller Central');
    expect(one.landing.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(one.landing.headers.get('referrer-policy')).toBe('no-referrer');
    expect(one.landing.headers.get('set-cookie')).toMatch(/HttpOnly; Secure; SameSite=Lax/);
    for (const { callback } of [one, two]) {
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/amz/done');
      expect(callback.headers.get('set-cookie')).toContain('Max-Age=0');
    }
    const done = await fetch(`${s.base}/done`, { headers: { 'accept-language': 'en' } });
    expect(await done.text()).toContain('You may close this window');

    const c = config(s);
    expect(c.profiles[a]).toMatchObject({ app: s.r.app, marketplace: 'DE', region: 'eu', sellingPartnerId: 'A3TESTSELLER01' });
    expect(c.profiles[b]).toMatchObject({ marketplace: 'FR' });
    expect(c.invitations[first.id].usedAt).toBeDefined();
    expect(await secretToolLookup(`profile/${a}/refresh-token`)).toMatch(/^Atzr\|/);
    expect(await secretToolLookup(`profile/${b}/refresh-token`)).toMatch(/^Atzr\|/);
    const exchanges = s.r.double.requests.filter((q) => q.form?.grant_type === 'authorization_code');
    expect(exchanges.map((q) => q.form!.redirect_uri)).toEqual([`${s.base}/callback`, `${s.base}/callback`]);

    // Once only: the link, and a replayed callback, now get "ask for a new link"; nobody goes to Amazon.
    const again = await fetch(first.url, { headers: { 'accept-language': 'en' } });
    expect(again.status).toBe(410);
    const againText = await again.text();
    expect(againText).toContain('ask your service provider for a new link');
    expect(againText).not.toContain('/apps/authorize/consent');
    const replay = await fetch(one.callbackUrl, { redirect: 'manual' });
    expect([replay.status, replay.headers.get('location')]).toEqual([303, '/amz/result/used']);
    expect((await fetch(new URL(replay.headers.get('location')!, s.base))).status).toBe(410);
    expect(s.r.double.requests.filter((q) => q.form?.grant_type === 'authorization_code')).toHaveLength(2);
    expect(s.run.stderr()).toMatch(/authorization-stored invitation=\S+ profile=\S+-a kind=new-seller seller=A3TESTSELLER01/);
    expectNothingSecretIn(s, s.run.stderr());
  });

  it('a renewal confirmed with another seller\'s account stores nothing and keeps the link; the right account then renews', async () => {
    const s = await served('json');
    const profile = `${s.r.s.prefix}-renew`;
    const made = await invite(s, ['--profile', profile, '--app', s.r.app, '--marketplace', 'DE']);
    expect((await sellerConfirms(made.url)).callback.status).toBe(303);
    const firstToken = await secretToolLookup(`profile/${profile}/refresh-token`);

    const renewal = await invite(s, ['--profile', profile]);
    const status = await s.r.s.run(['status', '--json']);
    expect(JSON.parse(String(status.stdout)).profiles[0].invitation).toMatchObject({ id: renewal.id });
    s.r.double.sellingPartnerId = 'A3OTHERSELLER9';
    const wrong = await sellerConfirms(renewal.url);
    // The callback never shows a page itself: the code and the other seller's id leave the address bar.
    expect([wrong.callback.status, wrong.callback.headers.get('location')]).toEqual([303, '/amz/result/wrong-seller?m=DE']);
    const result = await fetch(new URL(wrong.callback.headers.get('location')!, s.base));
    expect(result.status).toBe(403);
    const page = await result.text();
    expect(page).toContain('marketplace DE');
    expect(page).not.toContain('A3OTHERSELLER9');
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(firstToken);
    expect(config(s).invitations[renewal.id].usedAt).toBeUndefined();
    expect(s.r.double.requests.filter((q) => q.form?.grant_type === 'authorization_code')).toHaveLength(1);

    s.r.double.sellingPartnerId = 'A3TESTSELLER01';
    expect((await sellerConfirms(renewal.url)).callback.status).toBe(303);
    const renewed = await secretToolLookup(`profile/${profile}/refresh-token`);
    expect(renewed).toMatch(/^Atzr\|/);
    expect(renewed).not.toBe(firstToken);
    expect(config(s).invitations[renewal.id].usedAt).toBeDefined();

    // A revoked link is dead too; every log line is one JSON object without secrets.
    const third = await invite(s, ['--profile', profile]);
    expect((await s.r.s.run(['invite', 'revoke', third.id])).exitCode).toBe(0);
    expect((await fetch(third.url)).status).toBe(410);
    const events = s.run.stderr().trim().split('\n').map((line) => JSON.parse(line) as { event: string });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['listening', 'invitation-opened', 'login-detour', 'callback-refused', 'authorization-stored', 'invitation-refused']));
    expectNothingSecretIn(s, s.run.stderr());
  });

  it('answers healthz, refuses a changed link, and stops on SIGTERM with exit 0', async () => {
    const s = await served();
    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const made = await invite(s, ['--profile', `${s.r.s.prefix}-x`, '--app', s.r.app, '--marketplace', 'DE']);
    const changed = made.url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await fetch(changed);
    expect(refused.status).toBe(400);
    expect(await refused.text()).not.toContain('/apps/authorize/consent');
    const unknown = await fetch(`${s.base}/login?amazon_callback_uri=${encodeURIComponent('https://sellercentral.amazon.de/apps/authorize/confirm')}&amazon_state=x&selling_partner_id=A9NOBODY`, { redirect: 'manual' });
    expect(unknown.status).toBe(403);
    s.run.child.kill('SIGTERM');
    const result = await s.run.child;
    expect(result.exitCode).toBe(0);
    expect(s.run.stderr()).toMatch(/stopping signal=SIGTERM[\s\S]*stopped/);
  });
});
