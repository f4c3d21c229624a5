// serve's parts in-process: the signing module, the redirect validator's table of
// tricks, each route's decision, the attempt limit, the pages, the base URL, the
// invite command, and a store failure after the code was exchanged.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserHash, signer, signingKey } from '../../src/serve/signing.js';
import { amazonCallbackTarget } from '../../src/amazon/central-redirect.js';
import { callback, landing, login, type Setup } from '../../src/serve/routes.js';
import { awayFromCode, result } from '../../src/serve/results.js';
import { attemptLimit } from '../../src/serve/rate-limit.js';
import { clientOf, trustedProxies } from '../../src/serve/proxies.js';
import { chooseLanguage, render } from '../../src/serve/pages.js';
import { parseBaseUrl } from '../../src/serve/base-url.js';
import { checkInvitation } from '../../src/serve/invitations.js';
import { complete } from '../../src/serve/complete.js';
import { serveLog } from '../../src/serve/log.js';
import { parseCallbackQuery } from '../../src/flow/callback-query.js';
import { loadConfig, updateConfig, type Config } from '../../src/config/config.js';
import { commandContext } from '../../src/context.js';
import { accounts } from '../../src/secrets/accounts.js';
import { fakeEnvironment, FAKE, MemorySecretStore } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

const KEY = Buffer.alloc(32, 1);
const NOW = new Date('2026-11-27T12:00:00Z');
const BASE = parseBaseUrl('https://auth.example.com/amz', 'test');
const query = (q: Record<string, string>) => parseCallbackQuery(new URLSearchParams(q));

describe('signing', () => {
  const s = signer(KEY);

  it('checks what it signed, for that purpose only, until its expiry', () => {
    const token = s.sign('state', { i: 'abc', e: NOW.getTime() / 1000 + 60 });
    expect(s.check('state', token, NOW)).toEqual({ ok: true, claims: { i: 'abc', e: NOW.getTime() / 1000 + 60 } });
    expect(s.check('cookie', token, NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(s.check('state', token, new Date(NOW.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed payload, another key, garbage and overlong tokens', () => {
    const token = s.sign('invitation', { i: 'abc', e: NOW.getTime() / 1000 + 60 });
    const [payload, mac] = token.split('.') as [string, string];
    const later = Buffer.from(JSON.stringify({ i: 'abc', e: NOW.getTime() / 1000 + 9e6 })).toString('base64url');
    expect(s.check('invitation', `${later}.${mac}`, NOW)).toMatchObject({ ok: false, reason: 'forged' });
    expect(signer(Buffer.alloc(32, 2)).check('invitation', token, NOW)).toMatchObject({ ok: false, reason: 'forged' });
    // base64 decoding ignores the low bits of the last character: every other last character must still be refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const last of alphabet) {
      if (last === mac.at(-1)) continue;
      expect(s.check('invitation', `${payload}.${mac.slice(0, -1)}${last}`, NOW).ok, last).toBe(false);
    }
    for (const bad of [undefined, '', 'x', `${payload}.`, `${payload}.${mac}x`, `${'a'.repeat(2000)}.${mac}`, `${payload}.${mac}.x`]) {
      expect(s.check('invitation', bad, NOW).ok).toBe(false);
    }
  });

  it('makes the key once and keeps it in the secret store', async () => {
    const store = new MemorySecretStore();
    let n = 0;
    const first = await signingKey(store, (size) => Buffer.alloc(size, ++n));
    const second = await signingKey(store, (size) => Buffer.alloc(size, ++n));
    expect(second.equals(first)).toBe(true);
    expect(n).toBe(1);
    expect(await store.list()).toEqual([accounts.servingKey()]);
  });
});

describe('the redirect validator (Login URI detour)', () => {
  const central = new URL('https://sellercentral-europe.amazon.com');
  it.each([
    ['/apps/authorize/confirm', 'https://sellercentral-europe.amazon.com/apps/authorize/confirm'],
    ['https://sellercentral.amazon.de/apps/authorize/confirm', 'https://sellercentral.amazon.de/apps/authorize/confirm'],
    ['https://vendorcentral.amazon.com/x', 'https://vendorcentral.amazon.com/x'],
    ['/%2F%2Fevil.example/x', 'https://sellercentral-europe.amazon.com/%2F%2Fevil.example/x'],
  ])('follows %s', (uri, expected) => {
    const target = amazonCallbackTarget(uri, central);
    expect(target.ok && target.url.href).toBe(expected);
  });

  it.each([
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example',
    'javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://amazon.com@evil.example/',
    'https://sellercentral.amazon.de@evil.example/',
    'https://user:pw@sellercentral.amazon.de/',
    'https://sellercentral.amazon.de.evil.example/',
    'https://evil.example/?https://sellercentral.amazon.de',
    'http://sellercentral.amazon.de/apps/authorize/confirm',
    'https://sellercentral.amazon.de:8443/',
    'https://amazon.de/',
    'https://evil.example%2F@sellercentral.amazon.de/',
    '/x\r\nSet-Cookie: a=b',
    'https:evil.example',
    '',
  ])('refuses %j', (uri) => {
    const target = amazonCallbackTarget(uri, central);
    expect(target.ok ? target.url.hostname : 'refused').toMatch(/^(refused|sellercentral-europe\.amazon\.com)$/);
    if (target.ok) expect(target.url.origin).toBe(central.origin);
  });
});

function baseConfig(): Config {
  return {
    version: 1,
    apps: { app: { appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://auth.example.com/amz/callback', draft: true, clientSecretCreatedAt: '2026-11-01T00:00:00.000Z' } },
    profiles: { shop: { app: 'app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A1SELLER', expiresAt: '2026-12-10T00:00:00.000Z' } },
    invitations: {
      renewAAAAAAAAAAA: { kind: 'renewal', profile: 'shop', app: 'app', marketplace: 'DE', role: 'seller', createdAt: '2026-11-26T00:00:00.000Z', expiresAt: '2026-12-03T00:00:00.000Z' },
      newAAAAAAAAAAAAA: { kind: 'new-seller', profile: 'fresh', app: 'app', marketplace: 'FR', role: 'seller', createdAt: '2026-11-26T00:00:00.000Z', expiresAt: '2026-12-03T00:00:00.000Z' },
      usedAAAAAAAAAAAA: { kind: 'renewal', profile: 'shop', app: 'app', marketplace: 'DE', role: 'seller', createdAt: '2026-11-26T00:00:00.000Z', expiresAt: '2026-12-03T00:00:00.000Z', usedAt: '2026-11-26T01:00:00.000Z' },
    },
  };
}

const setup = (): Setup => ({ base: BASE, signer: signer(KEY), centralOverride: undefined, now: NOW, nonce: 'nonce', browserSecret: 'fresh-browser' });
const link = (id: string, expiresAt = '2026-12-03T00:00:00.000Z') => signer(KEY).sign('invitation', { i: id, e: Date.parse(expiresAt) / 1000 });

describe('routes', () => {
  it('landing: a consent link to the marketplace\'s Central with version=beta, redirect_uri=<base>/callback and a state bound to the invitation', () => {
    const answer = landing(link('renewAAAAAAAAAAA'), baseConfig(), setup());
    expect(answer.status).toBe(200);
    const page = answer.page as Extract<typeof answer.page, { name: 'landing' }>;
    const consent = new URL(page.consentUrl);
    expect(consent.origin).toBe('https://sellercentral-europe.amazon.com');
    expect(consent.searchParams.get('redirect_uri')).toBe('https://auth.example.com/amz/callback');
    expect(consent.searchParams.get('version')).toBe('beta');
    expect(signer(KEY).check('state', consent.searchParams.get('state')!, NOW)).toMatchObject({ ok: true, claims: { i: 'renewAAAAAAAAAAA' } });
    expect(signer(KEY).check('cookie', answer.cookie!, NOW)).toMatchObject({ ok: true, claims: { i: 'renewAAAAAAAAAAA' } });
    expect(page.renewalOf).toBe('A1SELLER');
  });

  it('landing: used, expired, revoked, changed and forged links get a 4xx page and no consent link', () => {
    const config = baseConfig();
    config.invitations!.renewAAAAAAAAAAA!.revokedAt = '2026-11-27T00:00:00.000Z';
    const cases: Array<[string, number, string]> = [
      [link('usedAAAAAAAAAAAA'), 410, 'used'],
      [link('renewAAAAAAAAAAA'), 410, 'revoked'],
      [link('renewAAAAAAAAAAA', '2026-11-01T00:00:00.000Z'), 410, 'expired'],
      [link('unknownAAAAAAAAA'), 400, 'changed'],
      [link('newAAAAAAAAAAAAA').replace(/.$/, 'x'), 400, 'changed'],
    ];
    for (const [token, status, why] of cases) {
      const answer = landing(token, config, setup());
      expect([answer.status, answer.page]).toEqual([status, { name: 'dead-link', why }]);
      expect(answer.cookie).toBeUndefined();
    }
    // A renewal whose profile moved to another marketplace since, and a new seller whose name was taken.
    const moved = baseConfig();
    moved.profiles.shop!.marketplace = 'FR';
    moved.profiles.fresh = { ...moved.profiles.shop! };
    expect(checkInvitation(moved, 'renewAAAAAAAAAAA', NOW)).toEqual({ ok: false, why: 'changed' });
    expect(checkInvitation(moved, 'newAAAAAAAAAAAAA', NOW)).toEqual({ ok: false, why: 'changed' });
  });

  it('login: the cookie continues the invitation to amazon_callback_uri with a fresh state; Manage Your Apps by seller id; otherwise ask for an invitation', () => {
    const cookie = signer(KEY).sign('cookie', { i: 'renewAAAAAAAAAAA', e: NOW.getTime() / 1000 + 60 });
    const detour = query({ amazon_callback_uri: '/apps/authorize/confirm', amazon_state: 'amz1', selling_partner_id: 'A9OTHER' });
    const withCookie = login(detour, cookie, baseConfig(), setup());
    expect(withCookie.status).toBe(302);
    const to = new URL(withCookie.location!);
    expect(`${to.origin}${to.pathname}`).toBe('https://sellercentral-europe.amazon.com/apps/authorize/confirm');
    expect(to.searchParams.get('amazon_state')).toBe('amz1');
    expect(to.searchParams.get('version')).toBe('beta');
    expect(signer(KEY).check('state', to.searchParams.get('state')!, NOW)).toMatchObject({ ok: true, claims: { i: 'renewAAAAAAAAAAA' } });

    const manage = login(query({ amazon_callback_uri: 'https://sellercentral-europe.amazon.com/apps/authorize/confirm', amazon_state: 's', selling_partner_id: 'A1SELLER' }), undefined, baseConfig(), setup());
    expect(signer(KEY).check('state', new URL(manage.location!).searchParams.get('state')!, NOW)).toMatchObject({ ok: true, claims: { p: 'shop', h: browserHash('fresh-browser') } });
    // Manage Your Apps sets the browser cookie its state is bound to.
    expect(signer(KEY).check('cookie', manage.cookie!, NOW)).toMatchObject({ ok: true, claims: { p: 'shop', b: 'fresh-browser' } });
    // "UNKNOWN" names no seller: a profile stored so renews only through an invitation.
    const unknown = baseConfig();
    unknown.profiles.shop!.sellingPartnerId = 'UNKNOWN';
    expect(login(query({ amazon_callback_uri: '/apps/authorize/confirm', amazon_state: 's', selling_partner_id: 'UNKNOWN' }), undefined, unknown, setup())).toMatchObject({ status: 403 });

    expect(login(detour, undefined, baseConfig(), setup())).toMatchObject({ status: 403, page: { name: 'ask-for-invitation' } });
    expect(login(query({ amazon_callback_uri: 'https://evil.example/', amazon_state: 's' }), cookie, baseConfig(), setup())).toMatchObject({ status: 400, page: { name: 'bad-detour' } });
    expect(login(detour, cookie.replace(/.$/, 'x'), baseConfig(), setup()).status).toBe(403);
  });

  it('callback: another seller\'s code is refused before it is spent, naming the marketplace; a forged state starts again; a state needs its browser\'s cookie', () => {
    const state = signer(KEY).sign('state', { i: 'renewAAAAAAAAAAA', n: 'n', h: browserHash('b1'), e: NOW.getTime() / 1000 + 60 });
    const cookie = signer(KEY).sign('cookie', { i: 'renewAAAAAAAAAAA', b: 'b1', e: NOW.getTime() / 1000 + 60 });
    for (const without of [undefined, signer(KEY).sign('cookie', { i: 'renewAAAAAAAAAAA', b: 'b2', e: NOW.getTime() / 1000 + 60 }), cookie.replace(/.$/, 'x')]) {
      const refused = callback(query({ state, spapi_oauth_code: 'ANcode', selling_partner_id: 'A1SELLER' }), without, baseConfig(), setup());
      expect('answer' in refused && refused.answer).toMatchObject({ status: 400, page: { name: 'other-browser' } });
    }
    const other = callback(query({ state, spapi_oauth_code: 'ANcode', selling_partner_id: 'A9OTHER' }), cookie, baseConfig(), setup());
    expect('answer' in other && other.answer).toMatchObject({ status: 403, page: { name: 'wrong-seller', marketplace: 'DE' } });
    expect(JSON.stringify(other)).not.toContain('ANcode');
    const right = callback(query({ state, spapi_oauth_code: 'ANcode', selling_partner_id: 'A1SELLER' }), cookie, baseConfig(), setup());
    expect('proceed' in right && right.proceed).toMatchObject({ invitation: 'renewAAAAAAAAAAA', profile: 'shop', code: 'ANcode' });
    const forged = callback(query({ state: state.replace(/.$/, 'x'), spapi_oauth_code: 'ANcode' }), cookie, baseConfig(), setup());
    expect('answer' in forged && forged.answer.page).toEqual({ name: 'start-again' });
  });

  it('every page answer of the callback becomes a 303 to a clean result address, which shows it with its status', () => {
    const away = awayFromCode({ status: 403, page: { name: 'wrong-seller', marketplace: 'DE' } }, BASE);
    expect([away.status, away.location]).toEqual([303, '/amz/result/wrong-seller?m=DE']);
    expect(result('wrong-seller', new URLSearchParams('m=DE'))).toMatchObject({ status: 403, page: { marketplace: 'DE' } });
    expect(result('wrong-seller', new URLSearchParams('m=<script>')).status).toBe(404);
    expect(result('used', new URLSearchParams()).status).toBe(410);
    expect(result('constructor', new URLSearchParams()).status).toBe(404);
  });
});

describe('attempt limit, pages, base URL, log', () => {
  it('counts attempts per client in a window, behind a local proxy by the address it saw', () => {
    const limit = attemptLimit({ attempts: 2, windowMs: 1000, maxClients: 3 });
    expect([limit.allow('a', 0), limit.allow('a', 1), limit.allow('a', 2), limit.allow('b', 2), limit.allow('a', 1000)]).toEqual([true, true, false, true, true]);
    for (let i = 0; i < 100; i++) limit.allow(`flood${i}`, 5);
    const local = trustedProxies('127.0.0.1,::1');
    expect(clientOf('127.0.0.1', '1.2.3.4, 5.6.7.8', local)).toBe('5.6.7.8');
    expect(clientOf('::ffff:127.0.0.1', '5.6.7.8', local)).toBe('5.6.7.8');
    expect(clientOf('::1', '2001:db8::7', local)).toBe('2001:db8::7');
    // An untrusted peer is the client, whatever it claims.
    expect(clientOf('9.9.9.9', '5.6.7.8', local)).toBe('9.9.9.9');
    expect(clientOf('::ffff:9.9.9.9', '5.6.7.8', local)).toBe('9.9.9.9');
    // A chain of trusted proxies: the right-most address that is none of them.
    const chain = trustedProxies('127.0.0.1, 10.0.0.0/8');
    expect(clientOf('127.0.0.1', '6.6.6.6, 5.6.7.8, 10.1.2.3', chain)).toBe('5.6.7.8');
    expect(clientOf('127.0.0.1', 'garbage, 10.1.2.3', chain)).toBe('10.1.2.3');
    expect(clientOf('127.0.0.1', undefined, chain)).toBe('127.0.0.1');
    expect(clientOf('127.0.0.1', '5.6.7.8', trustedProxies('none'))).toBe('127.0.0.1');
    for (const bad of ['10.0.0.0/33', 'example.com', '1.2.3.4/8/1', '', '::1/129']) expect(() => trustedProxies(bad), bad).toThrow(/--trust-proxy/);
  });

  it('speaks German when asked first, English otherwise, and escapes every value', () => {
    expect(chooseLanguage('de-CH,de;q=0.9,en;q=0.8')).toBe('de');
    expect(chooseLanguage('fr, en;q=0.5, de;q=0.4')).toBe('en');
    expect(chooseLanguage('de;q=0, en')).toBe('en');
    expect(chooseLanguage(undefined)).toBe('en');
    const html = render({ name: 'landing', app: '<b>"x"</b>', marketplace: 'DE', vendor: false, consentUrl: 'https://a/?x="><script>', expiresAt: NOW.toISOString() }, 'de');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('"><script>');
    expect(html).toContain('lang="de"');
  });

  it('takes only an https base URL (http on loopback for tests), without query or fragment', () => {
    expect(parseBaseUrl('https://auth.example.com/amz/', 'x')).toEqual({ href: 'https://auth.example.com/amz', path: '/amz' });
    expect(parseBaseUrl('https://auth.example.com', 'x')).toEqual({ href: 'https://auth.example.com', path: '' });
    for (const bad of ['http://auth.example.com/amz', 'https://auth.example.com/a?b', 'https://u@auth.example.com', 'https://auth.example.com/a b', 'ftp://x', 'nope']) {
      expect(() => parseBaseUrl(bad, 'x'), bad).toThrow();
    }
  });

  it('writes one line per event, JSON when asked, with control characters replaced', () => {
    const lines: string[] = [];
    const log = serveLog('json', (line) => lines.push(line), () => NOW);
    log('refused', { reason: 'a\nb', profile: undefined });
    expect(JSON.parse(lines[0]!)).toEqual({ time: NOW.toISOString(), event: 'refused', reason: 'a?b' });
  });
});

describe('invite and the callback\'s store', () => {
  const doubles: AmazonDouble[] = [];
  afterEach(async () => {
    while (doubles.length) await doubles.pop()!.close();
  });

  it('invite makes links, lists them, revokes one, and --expiring makes a CSV row per expiring profile', async () => {
    const fake = fakeEnvironment({ now: NOW, env: { AMZ_TOKEN_BASE_URL: 'https://auth.example.com/amz' } });
    let counter = 0;
    const randomBytes = (n: number) => Buffer.alloc(n, ++counter);
    const env = { ...fake, deps: fake.deps, run: (argv: string[], stdin = '') => fake.runWith({ randomBytes }, argv, stdin) };
    expect((await env.run(['app', 'add', 'app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://auth.example.com/amz/callback'], FAKE.clientSecret)).code).toBe(0);
    await updateConfig(env.deps.configDir, (c) => void (c.profiles.shop = baseConfig().profiles.shop!));
    const plain = await env.run(['invite', '--profile', 'shop']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^https:\/\/auth\.example\.com\/amz\/i\/\S+\n$/);
    const made = JSON.parse((await env.run(['invite', '--profile', 'new', '--app', 'app', '--marketplace', 'FR', '--expires-in', '3', '--json'])).stdout);
    expect(made).toMatchObject({ profile: 'new', kind: 'new-seller', marketplace: 'FR', expiresAt: '2026-11-30T12:00:00.000Z' });
    expect((await env.run(['invite', 'revoke', made.id])).code).toBe(0);
    const list = JSON.parse((await env.run(['invite', 'list', '--json'])).stdout);
    expect(list.map((r: { state: string }) => r.state).sort()).toEqual(['pending', 'revoked']);
    const csv = await env.run(['invite', '--expiring', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('profile,sellingPartnerId,marketplace,authorizationExpiresAt,url,expiresAt,id');
    expect(csv.stdout.split('\n')[1]).toMatch(/^shop,A1SELLER,DE,2026-12-10T00:00:00.000Z,https:\/\/auth.example.com\/amz\/i\//);
    const status = JSON.parse((await env.run(['status', '--json'])).stdout);
    expect(status.profiles[0].invitation.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await env.run(['invite', '--profile', 'nobody'])).code).toBe(5);
    expect((await env.run(['invite', '--profile', 'shop', '--app', 'app'])).code).toBe(2);
    expect((await env.run(['invite', '--profile', 'shop', '--base-url', 'http://auth.example.com'])).code).toBe(2);
    expect((await env.run(['invite', 'revoke', 'AAAAAAAAAAAAAAAA'])).code).toBe(5);
    // The key is the store's: a link made here is checked by a server with the same store.
    expect(await env.store.get(accounts.servingKey())).toBeTruthy();
  });

  it('a store failure after the exchange keeps the old token and the invitation, and says to try again', async () => {
    const double = await startAmazonDouble({ apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: [`${BASE.href}/callback`] }], sellingPartnerId: 'A1SELLER' });
    doubles.push(double);
    let failing = true;
    const store = new MemorySecretStore();
    const flaky = Object.assign(Object.create(store) as MemorySecretStore, {
      set: async (account: string, value: string) => {
        if (failing && account === accounts.refreshToken('shop')) throw Object.assign(new Error('Secret Service is locked'), { code: 'ELOCKED' });
        return store.set(account, value);
      },
    });
    const env = fakeEnvironment({ now: new Date(), env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin }, store: flaky });
    await store.set(accounts.clientSecret('app'), FAKE.clientSecret);
    // The profile's current token: the renewal is checked against the seller it tells Amazon.
    const old = double.issueRefreshToken(FAKE.clientId, 'A1SELLER');
    await store.set(accounts.refreshToken('shop'), old);
    const config = baseConfig();
    config.invitations!.renewAAAAAAAAAAA!.expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    await updateConfig(env.deps.configDir, (c) => Object.assign(c, config));
    const ctx = commandContext(env.deps, { json: false, quiet: true, color: false, input: false });
    const state = signer(KEY).sign('state', { i: 'renewAAAAAAAAAAA', n: 'n', h: browserHash('b1'), e: Math.floor(Date.now() / 1000) + 60 });
    const cookie = signer(KEY).sign('cookie', { i: 'renewAAAAAAAAAAA', b: 'b1', e: Math.floor(Date.now() / 1000) + 60 });
    const exchangeFor = async () => {
      const code = double.issueCode({ applicationId: FAKE.appId, redirectUri: `${BASE.href}/callback`, sellingPartnerId: 'A1SELLER' });
      const decision = callback(query({ state, spapi_oauth_code: code, selling_partner_id: 'A1SELLER' }), cookie, await loadConfig(env.deps.configDir), { ...setup(), now: new Date() });
      if (!('proceed' in decision)) throw new Error('refused');
      return decision.proceed;
    };

    const deadline = () => AbortSignal.timeout(20_000);
    const failed = await complete(ctx, await exchangeFor(), BASE, deadline());
    expect(failed).toMatchObject({ kind: 'failed' });
    expect(await store.get(accounts.refreshToken('shop'))).toBe(old);
    expect((await loadConfig(env.deps.configDir)).invitations!.renewAAAAAAAAAAA!.usedAt).toBeUndefined();
    expect(JSON.stringify(failed)).not.toMatch(/Atzr|ANDM|client-secret/i);

    failing = false;
    expect(await complete(ctx, await exchangeFor(), BASE, deadline())).toEqual({ kind: 'stored', sellingPartnerId: 'A1SELLER', storeName: 'Store A1SELLER' });
    expect(await store.get(accounts.refreshToken('shop'))).toMatch(/^Atzr\|/);
    expect(await store.get(accounts.refreshToken('shop'))).not.toBe(old);
    const after = JSON.parse(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8'));
    expect(after.invitations.renewAAAAAAAAAAA.usedAt).toBeDefined();
    expect(after.profiles.shop.identity).toMatchObject({ sellerId: 'A1SELLER', storeName: 'Store A1SELLER', marketplaces: ['DE'] });
    expect(Date.parse(after.profiles.shop.expiresAt)).toBeGreaterThan(Date.now() + 364 * 86_400_000);
  });
});
