// End to end, a seller meets `amz-token serve` the way a deployment shows it: Debian's nginx with
// TLS (the shipped snippet, a throwaway CA) in front of serve under a made-up host, a real Chromium
// as the seller, the Amazon double as Seller Central and LWA, the real keychain. One nginx, serve
// and double for the file; each test uses profiles of its own.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestKeyring } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { confirmConsent } from '../support/flow.js';
import { SELLER, confirmOnDouble, startServeRig, type ServeRig } from '../support/serve-rig.js';
import { cookiesOf, proxyTarget, viaProxy } from '../support/nginx-tls.js';

let rig: ServeRig;

beforeAll(async () => {
  requireTestKeyring();
  // The snippet's 30 a minute is for one seller; this file is many sellers from one address.
  rig = await startServeRig({ nginx: true, rate: '6000r/m' });
});

afterAll(async () => {
  await rig?.close();
});

/** Every main-frame address the page committed to, in order (redirect hops never commit). */
function committedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}



describe('serve behind nginx, with Chromium as the seller', () => {
  it('a renewal invitation: landing page (en, de), consent, callback, a clean success page; the token changes and the link is used up', async () => {
    const profile = `${rig.s.prefix}-renew`;
    const before = await rig.profile(profile);
    const link = await rig.invite(profile);
    expect(link.startsWith(`${rig.baseUrl}/i/`)).toBe(true);

    const german = await rig.newContext('de-DE');
    try {
      const page = await german.newPage();
      const response = await page.goto(link);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.textContent('h1')).toContain('Autorisierung');
    } finally {
      await german.close();
    }

    const context = await rig.newContext('en-US');
    try {
      const page = await context.newPage();
      const urls = committedUrls(page);
      const landing = await page.goto(link);
      expect(landing?.status()).toBe(200);
      const headers = landing!.headers();
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['content-security-policy']).toMatch(/default-src 'none'|default-src 'self'/);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('body')).toContain('DE');
      const consent = new URL((await page.getAttribute('#continue', 'href'))!);
      expect(consent.origin).toBe(rig.double.origin);
      expect(consent.searchParams.get('redirect_uri')).toBe(`${rig.baseUrl}/callback`);
      expect(consent.searchParams.get('state')).toBeTruthy();
      expect(consent.searchParams.has('version')).toBe(false); // a published app

      await page.click('#continue');
      await confirmOnDouble(page, `${rig.baseUrl}/done`);
      expect(page.url()).toBe(`${rig.baseUrl}/done`);
      expect(await page.textContent('h1')).toContain('Authorization received');
      // Neither the code nor the state ever became an entry of the history.
      expect(urls.filter((url) => /spapi_oauth_code|state=/.test(url) && url.startsWith(rig.baseUrl))).toEqual([]);
      expect(urls.some((url) => url.includes('spapi_oauth_code'))).toBe(false);

      const after = await rig.refreshToken(profile);
      expect(after).not.toBeNull();
      expect(after).not.toBe(before);

      const requestsBefore = rig.double.requests.length;
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(200);
      expect(await page.textContent('h1')).toContain('Authorization received');
      expect(rig.double.requests.length).toBe(requestsBefore);
      expect(await rig.refreshToken(profile)).toBe(after);

      const again = await page.goto(link);
      expect(again?.status()).toBeGreaterThanOrEqual(400);
      expect(again?.status()).toBeLessThan(500);
      expect(await page.textContent('body')).toMatch(/already been used/);
      expect(await page.$('#continue')).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('the Login URI detour continues the invitation through its cookie', async () => {
    const profile = `${rig.s.prefix}-detour`;
    const before = await rig.profile(profile);
    const link = await rig.invite(profile);
    rig.double.loginDetour = true;
    const context = await rig.newContext();
    try {
      const page = await context.newPage();
      const urls = committedUrls(page);
      await page.goto(link);
      await page.click('#continue');
      await confirmOnDouble(page, `${rig.baseUrl}/done`);
      expect(await page.textContent('h1')).toContain('Authorization received');
      expect(urls.some((url) => url.includes('spapi_oauth_code'))).toBe(false);
      const after = await rig.refreshToken(profile);
      expect(after).not.toBeNull();
      expect(after).not.toBe(before);
    } finally {
      rig.double.loginDetour = false;
      await context.close();
    }
  });

  it('a renewal started in Manage Your Apps (no invitation, no cookie) renews the profile of that selling partner id', async () => {
    const seller = 'A3MYAPPSSELLER7';
    const profile = `${rig.s.prefix}-myapps`;
    const before = await rig.profile(profile, { sellingPartnerId: seller, marketplace: 'FR' });
    rig.double.loginDetour = true;
    rig.double.sellingPartnerId = seller;
    const context = await rig.newContext();
    try {
      const page = await context.newPage();
      // Amazon's own start: its consent page for the app, which then loads our Login URI.
      await page.goto(`${rig.double.origin}/apps/authorize/consent?application_id=${encodeURIComponent(FAKE.appId)}&state=amazon-started`);
      await page.check('#authorize');
      await Promise.all([page.waitForURL(`${rig.baseUrl}/done`), page.click('#confirm')]);
      const after = await rig.refreshToken(profile);
      expect(after).not.toBeNull();
      expect(after).not.toBe(before);
    } finally {
      rig.double.loginDetour = false;
      rig.double.sellingPartnerId = SELLER;
      await context.close();
    }
  });

  it("another seller's account confirming a renewal invitation stores nothing and names the marketplace, not that seller", async () => {
    const profile = `${rig.s.prefix}-other`;
    const before = await rig.profile(profile, { marketplace: 'IT' });
    const configBefore = readFileSync(`${rig.s.configDir}/config.json`, 'utf8');
    const link = await rig.invite(profile);
    rig.double.sellingPartnerId = 'A3SOMEONEELSE42';
    const context = await rig.newContext();
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.click('#continue');
      await page.waitForURL((url) => url.pathname === '/apps/authorize/consent');
      await page.check('#authorize');
      await Promise.all([page.waitForURL((url) => url.href.startsWith(rig.baseUrl)), page.click('#confirm')]);
      await page.waitForLoadState('load');
      const text = (await page.textContent('body')) ?? '';
      expect(text).toMatch(/different Amazon account/);
      expect(text).toContain('IT');
      expect(text).not.toContain('A3SOMEONEELSE42');
      // Failures, too, leave the callback's address (code, state, the other seller's id) behind.
      expect(page.url()).toMatch(new RegExp(`^${rig.baseUrl}/result/`));
      expect(page.url()).not.toMatch(/spapi_oauth_code|state=|A3SOMEONEELSE42/);
      expect(await rig.refreshToken(profile)).toBe(before);
      const config = JSON.parse(readFileSync(`${rig.s.configDir}/config.json`, 'utf8')) as { profiles: Record<string, unknown> };
      expect(config.profiles[profile]).toEqual((JSON.parse(configBefore) as { profiles: Record<string, unknown> }).profiles[profile]);

      // The same link still works once the right account confirms.
      rig.double.sellingPartnerId = SELLER;
      await page.goto(link);
      await page.click('#continue');
      await confirmOnDouble(page, `${rig.baseUrl}/done`);
      const after = await rig.refreshToken(profile);
      expect(after).not.toBeNull();
      expect(after).not.toBe(before);
    } finally {
      rig.double.sellingPartnerId = SELLER;
      await context.close();
    }
  });

  it('SIGTERM while a callback is under way: the callback finishes (token stored) and serve exits 0', async () => {
    const profile = `${rig.s.prefix}-sigterm`;
    const before = await rig.profile(profile);
    const link = await rig.invite(profile);
    const landing = await viaProxy(proxyTarget(rig.nginx!), link);
    expect(landing.status).toBe(200);
    const consentUrl = /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(landing.body)![1]!.replaceAll('&amp;', '&');
    const callback = await confirmConsent(consentUrl);
    expect(callback.startsWith(`${rig.baseUrl}/callback?`)).toBe(true);
    rig.double.faults.delayMs = 1500;
    const codeExchanges = () => rig.double.requests.filter((r) => r.form?.grant_type === 'authorization_code').length;
    const exchangesBefore = codeExchanges();
    const answer = viaProxy(proxyTarget(rig.nginx!), callback, 'GET', { cookie: cookiesOf(landing) });
    // SIGTERM only once serve is waiting on LWA for this callback's code.
    for (let i = 0; i < 200 && codeExchanges() === exchangesBefore; i++) await new Promise((r) => setTimeout(r, 25));
    expect(codeExchanges()).toBe(exchangesBefore + 1);
    const exitCode = rig.stopServe();
    const finished = await answer;
    expect(finished.status).toBe(303);
    expect(finished.headers.location).toMatch(/\/done$/);
    expect(await exitCode).toBe(0);
    const after = await rig.refreshToken(profile);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(rig.serve.stderr()).not.toMatch(/spapi_oauth_code=|Atzr\|/);
  });
});
