// The attacks of issue 23, each tried the way an attacker on the internet would: curl-like requests
// through Debian's nginx with TLS (the shipped snippet) to serve, an Amazon seller account of their
// own at the Amazon double, the real keychain. Each must leave the victim's token, config.json and
// invitation as they were, and tell the operator why in serve's log. The controls (the real seller
// still renews) run next to them. One nginx, serve and double for the file; profiles of their own.
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestKeyring } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { confirmConsent } from '../support/flow.js';
import { startServeRig, type ServeRig } from '../support/serve-rig.js';
import { cookiesOf, proxyTarget, viaProxy, type ProxyAnswer } from '../support/nginx-tls.js';

const VICTIM = 'A1VICTIMSELLER1';
const ATTACKER = 'A9ATTACKER0001';
let rig: ServeRig;
const sockets: Socket[] = [];

beforeAll(async () => {
  requireTestKeyring();
  // The snippet's 30 a minute is for one seller; this file is many sellers from one address.
  rig = await startServeRig({ nginx: true, rate: '6000r/m' });
  rig.double.stores[VICTIM] = { storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] };
  rig.double.stores[ATTACKER] = { storeName: 'Mallory Trading', marketplaces: ['DE', 'FR'] };
});

afterAll(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await rig?.close();
});

const via = (target: string, headers: Record<string, string> = {}) => viaProxy(proxyTarget(rig.nginx!), target, 'GET', headers);
const consentOf = (landing: ProxyAnswer) => /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(landing.body)![1]!.replaceAll('&amp;', '&');
const configText = () => readFileSync(`${rig.s.configDir}/config.json`, 'utf8');
const config = () => JSON.parse(configText()) as { profiles: Record<string, Record<string, unknown> & { identity?: Record<string, unknown> }>; invitations: Record<string, { profile: string; usedAt?: string }> };
const invitationOf = (profile: string) => Object.values(config().invitations).find((i) => i.profile === profile)!;

/** Confirms a consent page at the double as `seller`; returns the callback address Amazon sends the browser to. */
async function confirmAs(seller: string, consentUrl: string): Promise<URL> {
  rig.double.sellingPartnerId = seller;
  try {
    return new URL(await confirmConsent(consentUrl));
  } finally {
    rig.double.sellingPartnerId = VICTIM;
  }
}

/** The place a callback's 303 sends the browser: /done or /result/<what>. */
const landed = (answer: ProxyAnswer) => `${answer.status} ${new URL(answer.location ?? 'x:', 'https://h').pathname.replace(/^\/amz-token/, '')}`;

/** A state for `profile`'s seller the way Manage Your Apps gets one: /login naming the seller id, in the attacker's own browser. */
async function loginState(sellerId: string): Promise<{ state: string; cookie: string; answer: ProxyAnswer }> {
  const answer = await via(`/amz-token/login?${new URLSearchParams({ amazon_callback_uri: '/apps/authorize/callback', amazon_state: 'amz1', selling_partner_id: sellerId })}`);
  const state = answer.location ? new URL(answer.location).searchParams.get('state') ?? '' : '';
  return { state, cookie: cookiesOf(answer), answer };
}

/** The double's consent page for serve's app with `state`, as a browser that has it would open it. */
const consentWith = (state: string) => `${rig.double.origin}/apps/authorize/consent?${new URLSearchParams({ application_id: FAKE.appId, state, redirect_uri: `${rig.baseUrl}/callback` })}`;

describe('issue 23: identity comes from Amazon, never from the query', () => {
  it('attack 1: a state from /login for the victim, confirmed with the attacker\'s account and the id edited back, stores nothing; the state does not work twice', async () => {
    const profile = `${rig.s.prefix}-victim`;
    const before = await rig.profile(profile, { sellingPartnerId: VICTIM });
    const configBefore = config().profiles[profile];
    const { state, cookie, answer } = await loginState(VICTIM);
    expect(answer.status).toBe(302);
    const tokenRequests = rig.double.requests.length;
    const callback = await confirmAs(ATTACKER, consentWith(state));
    expect(callback.searchParams.get('selling_partner_id')).toBe(ATTACKER);
    callback.searchParams.set('selling_partner_id', VICTIM);
    const refused = await via(`${callback.pathname}${callback.search}`, { cookie });
    expect(landed(refused)).toBe('303 /result/wrong-seller');
    expect(rig.double.requests.length).toBe(tokenRequests + 2); // the attacker's code, and the victim's current token asked who it is
    expect(await rig.refreshToken(profile)).toBe(before);
    expect(config().profiles[profile]).toEqual(configBefore);
    expect(rig.serve.stderr()).toMatch(new RegExp(`callback-refused profile=${profile} reason="another seller confirmed \\(seller id differs\\)"`));
    expect(rig.serve.stderr()).not.toMatch(new RegExp(`authorization-stored profile=${profile}`));

    // The same state with a second code of the attacker's: spent.
    const second = await confirmAs(ATTACKER, consentWith(state));
    second.searchParams.set('selling_partner_id', VICTIM);
    const again = await via(`${second.pathname}${second.search}`, { cookie });
    expect(landed(again)).toBe('303 /result/start-again');
    expect(rig.serve.stderr()).toMatch(/callback-refused .*reason="state used"/);
    expect(await rig.refreshToken(profile)).toBe(before);

    // Control: the real seller's Manage Your Apps renewal still lands, and records who Amazon says it is.
    const real = await loginState(VICTIM);
    const own = await confirmAs(VICTIM, consentWith(real.state));
    const done = await via(`${own.pathname}${own.search}`, { cookie: real.cookie });
    expect(landed(done)).toBe('303 /done');
    expect(await rig.refreshToken(profile)).not.toBe(before);
    expect(config().profiles[profile]!.identity).toMatchObject({ sellerId: VICTIM, storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] });
  });

  it('a profile stored as UNKNOWN cannot be taken over: /login with "UNKNOWN" finds no profile, and a leaked invitation confirmed by another seller stores nothing', async () => {
    const profile = `${rig.s.prefix}-unknown`;
    // Imported without a seller id: Amazon knows whose it is (the victim's), config.json does not.
    const token = await rig.profile(profile, { sellingPartnerId: 'UNKNOWN', grantedBy: VICTIM });
    const viaLogin = await loginState('UNKNOWN');
    expect(viaLogin.answer.status).toBe(403);
    expect(viaLogin.answer.body).toMatch(/invitation link/);

    const link = await rig.invite(profile);
    const landing = await via(link);
    const callback = await confirmAs(ATTACKER, consentOf(landing));
    const refused = await via(`${callback.pathname}${callback.search}`, { cookie: cookiesOf(landing) });
    expect(landed(refused)).toBe('303 /result/wrong-seller');
    expect(await rig.refreshToken(profile)).toBe(token);
    expect(config().profiles[profile]!.sellingPartnerId).toBe('UNKNOWN');
    expect(invitationOf(profile).usedAt).toBeUndefined();

    // The right seller, through the same link: stored, and the profile learns its seller id from Amazon.
    const landingAgain = await via(link);
    const own = await confirmAs(VICTIM, consentOf(landingAgain));
    expect(landed(await via(`${own.pathname}${own.search}`, { cookie: cookiesOf(landingAgain) }))).toBe('303 /done');
    expect(config().profiles[profile]).toMatchObject({ sellingPartnerId: VICTIM, identity: { sellerId: VICTIM, storeName: 'Acme GmbH' } });
  });

  it('attack 2: a new seller\'s callback with selling_partner_id edited to markup takes Amazon\'s id, and config.json stays loadable for status and invite list', async () => {
    const profile = `${rig.s.prefix}-newbie`;
    const link = await rig.invite(profile, ['--app', rig.app, '--marketplace', 'DE']);
    const landing = await via(link);
    const callback = await confirmAs(ATTACKER, consentOf(landing));
    callback.searchParams.set('selling_partner_id', 'a1b"<x>');
    expect(landed(await via(`${callback.pathname}${callback.search}`, { cookie: cookiesOf(landing) }))).toBe('303 /done');
    expect(config().profiles[profile]).toMatchObject({ sellingPartnerId: ATTACKER, identity: { sellerId: ATTACKER, storeName: 'Mallory Trading' } });
    expect(configText()).not.toContain('<x>');
    const status = await rig.s.run(['status', '--json', '--profile', profile]);
    expect(status.exitCode, String(status.stderr)).toBe(0);
    expect(JSON.parse(String(status.stdout)).profiles[0]).toMatchObject({ sellingPartnerId: ATTACKER, storeName: 'Mallory Trading' });
    expect(String((await rig.s.run(['status', '--profile', profile])).stdout)).toContain('Mallory Trading');
    expect((await rig.s.run(['invite', 'list'])).exitCode).toBe(0);
    expect((await via('/amz-token/healthz')).status).toBe(200);
  });

  it('attack 2, without the Pricing role: Amazon gives no seller id, and the query\'s is taken only in the form config.json accepts', async () => {
    rig.double.setRoles(FAKE.clientId, ['Product Listing']);
    try {
      const profile = `${rig.s.prefix}-nopricing-new`;
      const link = await rig.invite(profile, ['--app', rig.app, '--marketplace', 'DE']);
      const landing = await via(link);
      const callback = await confirmAs(ATTACKER, consentOf(landing));
      callback.searchParams.set('selling_partner_id', 'a1b"<x>');
      expect(landed(await via(`${callback.pathname}${callback.search}`, { cookie: cookiesOf(landing) }))).toBe('303 /done');
      expect(config().profiles[profile]).toMatchObject({ sellingPartnerId: 'UNKNOWN', identity: { storeName: 'Mallory Trading', marketplaces: ['DE', 'FR'] } });
      expect(config().profiles[profile]!.identity!.sellerId).toBeUndefined();
      expect((await rig.s.run(['status', '--profile', profile])).exitCode).toBe(0);
    } finally {
      rig.double.setRoles(FAKE.clientId, undefined);
    }
  });

  it('a renewal by an app without the Pricing role is checked by store name: another store is refused, the seller\'s own lands', async () => {
    const profile = `${rig.s.prefix}-bystore`;
    const before = await rig.profile(profile, { sellingPartnerId: VICTIM });
    rig.double.setRoles(FAKE.clientId, ['Product Listing']);
    try {
      const link = await rig.invite(profile);
      // Another seller with the same marketplaces, and the query's id edited to the victim's: the store name differs.
      const landing = await via(link);
      const other = await confirmAs(ATTACKER, consentOf(landing));
      other.searchParams.set('selling_partner_id', VICTIM);
      expect(landed(await via(`${other.pathname}${other.search}`, { cookie: cookiesOf(landing) }))).toBe('303 /result/wrong-seller');
      expect(rig.serve.stderr()).toMatch(new RegExp(`callback-refused invitation=\\S+ profile=${profile} reason="another seller confirmed \\(store name or marketplaces differ\\)"`));
      expect(await rig.refreshToken(profile)).toBe(before);
      expect(rig.double.feesRequests.at(-1)?.status).toBe(403);

      const again = await via(link);
      const own = await confirmAs(VICTIM, consentOf(again));
      expect(landed(await via(`${own.pathname}${own.search}`, { cookie: cookiesOf(again) }))).toBe('303 /done');
      expect(await rig.refreshToken(profile)).not.toBe(before);
      expect(config().profiles[profile]!.identity).toEqual(expect.objectContaining({ storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] }));
      // The landing page of the next renewal names the account.
      const next = await via(await rig.invite(profile));
      expect(next.body).toContain('for the account of Acme GmbH');
    } finally {
      rig.double.setRoles(FAKE.clientId, undefined);
    }
  });
});

describe('issue 23: status --check --deep records what it learns', () => {
  it('records the store name on a profile without an identity; a renewal by another store is then refused against it', async () => {
    const profile = `${rig.s.prefix}-deep`;
    const before = await rig.profile(profile, { sellingPartnerId: VICTIM });
    const status = await rig.s.run(['status', '--check', '--deep', '--profile', profile, '--json']);
    expect(status.exitCode, String(status.stderr)).toBe(0);
    expect(JSON.parse(String(status.stdout)).profiles[0]).toMatchObject({ storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] });
    expect(config().profiles[profile]!.identity).toMatchObject({ storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] });
    expect(String((await rig.s.run(['status', '--profile', profile])).stdout)).toContain('Acme GmbH');

    const link = await rig.invite(profile);
    const landing = await via(link);
    expect(landing.body).toContain('for the account of Acme GmbH');
    const other = await confirmAs(ATTACKER, consentOf(landing));
    other.searchParams.set('selling_partner_id', VICTIM);
    const tokenRequests = rig.double.requests.length;
    expect(landed(await via(`${other.pathname}${other.search}`, { cookie: cookiesOf(landing) }))).toBe('303 /result/wrong-seller');
    // Checked against the recorded identity: the victim's current token was not asked again.
    expect(rig.double.requests.length).toBe(tokenRequests + 1);
    expect(await rig.refreshToken(profile)).toBe(before);
  });
});

describe('issue 23: states bound to one browser', () => {
  it('attack 3: a consent link lifted from a new seller\'s landing page and confirmed in another browser stores nothing; the first browser still completes', async () => {
    const profile = `${rig.s.prefix}-lifted`;
    const link = await rig.invite(profile, ['--app', rig.app, '--marketplace', 'FR']);
    const landing = await via(link);
    const setCookie = String(landing.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const lifted = await confirmAs(ATTACKER, consentOf(landing));
    const tokenRequests = rig.double.requests.length;
    // The attacker's browser has a cookie of its own (it opened the same link), not the seller's.
    const attackersLanding = await via(link);
    for (const cookie of [undefined, cookiesOf(attackersLanding)]) {
      const refused = await via(`${lifted.pathname}${lifted.search}`, cookie ? { cookie } : {});
      expect(landed(refused)).toBe('303 /result/other-browser');
      const page = await via(refused.location!);
      expect(page.status).toBe(400);
      expect(page.body).toMatch(/same browser/);
    }
    expect(rig.double.requests.length).toBe(tokenRequests); // the code was never spent
    expect(config().profiles[profile]).toBeUndefined();
    expect(invitationOf(profile).usedAt).toBeUndefined();
    expect(rig.serve.stderr()).toMatch(/callback-refused invitation=\S+ reason="state without its browser cookie \(cookie missing\)"/);
    expect(rig.serve.stderr()).toMatch(/callback-refused invitation=\S+ reason="state of another browser"/);

    const own = await confirmAs(VICTIM, consentOf(landing));
    expect(landed(await via(`${own.pathname}${own.search}`, { cookie: cookiesOf(landing) }))).toBe('303 /done');
    expect(config().profiles[profile]).toMatchObject({ sellingPartnerId: VICTIM });
  });

  it('a twin callback (a reload while the first is under way) waits for the first one\'s answer; the code is exchanged once', async () => {
    const profile = `${rig.s.prefix}-twin`;
    await rig.profile(profile, { sellingPartnerId: VICTIM });
    const link = await rig.invite(profile);
    const landing = await via(link);
    const callback = await confirmAs(VICTIM, consentOf(landing));
    const codeExchanges = () => rig.double.requests.filter((r) => r.form?.grant_type === 'authorization_code').length;
    const exchangesBefore = codeExchanges();
    rig.double.faults.delayMs = 800;
    try {
      const target = `${callback.pathname}${callback.search}`;
      const [first, second] = await Promise.all([via(target, { cookie: cookiesOf(landing) }), via(target, { cookie: cookiesOf(landing) })]);
      expect([landed(first), landed(second)]).toEqual(['303 /done', '303 /done']);
    } finally {
      delete rig.double.faults.delayMs;
    }
    expect(codeExchanges()).toBe(exchangesBefore + 1);
    expect(rig.serve.stderr()).toMatch(new RegExp(`callback-repeated invitation=\\S+ profile=${profile}`));
  });
});

/** One GET straight to serve's listener from a loopback address of our choosing (127.0.0.2 is not a trusted proxy). */
function directFrom(localAddress: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(rig.direct).port), localAddress });
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    const done = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${rig.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`);
  });
}

/** One GET through nginx from a loopback address of our choosing, with a forged X-Forwarded-For. */
function viaNginxFrom(localAddress: string, path: string, forwardedFor: string): Promise<{ status: number; body: string }> {
  const to = proxyTarget(rig.nginx!);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: to.port, localAddress, path, servername: to.host, headers: { host: to.host, 'x-forwarded-for': forwardedFor }, ca: readFileSync(to.caFile) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('issue 23: one client cannot lock others out, nor evade the limit', () => {
  it('attack 6: 2,000 idle sockets from one peer do not stop another peer\'s /healthz', async () => {
    const port = Number(new URL(rig.direct).port);
    const opened: Socket[] = [];
    // In batches under the kernel's accept backlog (511), so each reaches serve rather than the backlog's overflow.
    for (let batch = 0; batch < 10; batch++) {
      opened.push(
        ...(await Promise.all(
          Array.from({ length: 200 }, () => new Promise<Socket>((resolve) => {
            const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
            sockets.push(socket);
            socket.on('error', () => undefined);
            socket.resume(); // reads, so that serve closing it is seen here
            socket.on('connect', () => resolve(socket));
            socket.on('close', () => resolve(socket));
          })),
        )),
      );
    }
    // serve drops what is over the per-peer limit at once; the closes reach this side soon after.
    const alive = () => opened.filter((s) => !s.destroyed && s.readyState === 'open').length;
    for (let i = 0; i < 100 && alive() > 32; i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBeLessThanOrEqual(32);
    expect(await directFrom('127.0.0.3', '/amz-token/healthz')).toBe(200);
    expect((await via('/amz-token/healthz')).status).toBe(200);
    opened.forEach((s) => s.destroy());
  });

  it('attack 6: one untrusted peer gets 300 requests a minute on any route, healthz included; another peer and the proxy are not held back', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 310; i++) statuses.push(await directFrom('127.0.0.7', '/amz-token/healthz'));
    expect(statuses.filter((status) => status === 200).length).toBe(300);
    expect(statuses.slice(300)).toEqual(Array(10).fill(429));
    expect(await directFrom('127.0.0.8', '/amz-token/healthz')).toBe(200);
    expect((await via('/amz-token/healthz')).status).toBe(200);
  });

  it('attack 6: a rotated X-Forwarded-For from an untrusted peer, directly or through nginx, is not believed: the limit bites; others are not punished', async () => {
    const direct: number[] = [];
    for (let i = 0; i < 40; i++) direct.push(await directFrom('127.0.0.4', `/amz-token/i/bogus${i}.AAAA`, { 'X-Forwarded-For': `198.51.100.${i}` }));
    // 30 attempts pass (a dead link: 400), the rest are limited.
    expect(direct.filter((status) => status === 429).length, direct.join(' ')).toBe(10);
    const proxied: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Paced under this rig's nginx rate (6000 a minute): only serve's own limit may bite.
      await new Promise((r) => setTimeout(r, 15));
      // serve's own 429 page (nginx's limit would answer with a bare page of its own).
      const answer = await viaNginxFrom('127.0.0.5', `/amz-token/i/bogus${i}.AAAA`, `198.51.100.${i}, 127.0.0.1`);
      proxied.push(answer.status === 429 && answer.body.includes('Too many attempts') ? 'serve-429' : String(answer.status));
    }
    expect(proxied.filter((what) => what === 'serve-429').length, proxied.join(' ')).toBe(10);
    // Without any proxy header, each direct peer has a bucket of its own.
    expect(await directFrom('127.0.0.6', '/amz-token/i/bogus.AAAA')).toBe(400);
    expect(rig.serve.stderr()).toMatch(/rate-limited route=invitation/);
  });
});

describe('the files contrib/ ships', () => {
  it('attack 5: nginx and Caddy wait longer for serve than serve\'s worst case for one callback (20 s deadline, plus its writes)', () => {
    const nginx = readFileSync(new URL('../../contrib/nginx/amz-token-serve.conf', import.meta.url), 'utf8');
    const caddy = readFileSync(new URL('../../contrib/caddy/Caddyfile', import.meta.url), 'utf8');
    const systemd = readFileSync(new URL('../../contrib/systemd/amz-token-serve.service', import.meta.url), 'utf8');
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1])).toBeGreaterThanOrEqual(60);
    expect(Number(/response_header_timeout (\d+)s/.exec(caddy)?.[1])).toBeGreaterThanOrEqual(60);
    expect(Number(/TimeoutStopSec=(\d+)/.exec(systemd)?.[1])).toBeGreaterThanOrEqual(45);
    expect(statSync(new URL('../../contrib/nginx/amz-token-serve.conf', import.meta.url)).isFile()).toBe(true);
  });
});
