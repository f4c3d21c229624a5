// The pages the callback server shows, rendered in real headless Chromium:
// screenshots for a human to look at (.test-artifacts/), and checks that they
// are small, accessible, and load nothing from anywhere else.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startCallbackServer, type CallbackServer } from '../../src/flow/callback-server.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../.test-artifacts');
let browser: Browser;
let server: CallbackServer;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  server = await startCallbackServer({
    host: '127.0.0.1',
    port: 0,
    path: '/cb',
    expectedState: (port) => `${port}.expected-state-value-for-the-screenshot-test`,
    centralOrigin: 'https://sellercentral.amazon.com',
    draft: false,
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

async function visit(path: string, shot: string, width = 390) {
  const page = await browser.newPage({ viewport: { width, height: 640 } });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const response = await page.goto(`${server.url.replace(/\/cb$/, '')}${path}`);
  const html = await page.content();
  const file = resolve(ARTIFACTS, shot);
  await page.screenshot({ path: file, fullPage: true });
  const facts = {
    status: response?.status(),
    lang: await page.getAttribute('html', 'lang'),
    title: await page.title(),
    h1: await page.locator('h1').allTextContents(),
    overflow: await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth),
    bytes: Buffer.byteLength(html),
    requested,
    screenshotBytes: statSync(file).size,
  };
  await page.close();
  return facts;
}

describe('callback pages in Chromium', () => {
  it('the error page for a wrong state is escaped, accessible, small, and self-contained', async () => {
    const facts = await visit('/cb?state=%3Cscript%3Ealert(1)%3C%2Fscript%3E&spapi_oauth_code=SECRETCODE123&selling_partner_id=A1', 'error-page.png');
    expect(facts.status).toBe(400);
    expect(facts.lang).toBe('en');
    expect(facts.title).toMatch(/amz-token/);
    expect(facts.h1).toHaveLength(1);
    expect(facts.overflow).toBe(false);
    expect(facts.bytes).toBeLessThan(4096);
    expect(facts.requested.every((url) => url.startsWith('http://127.0.0.1:'))).toBe(true);
    expect(facts.screenshotBytes).toBeGreaterThan(1000);
  });

  it('the success page after a valid callback says to return to the terminal', async () => {
    const state = server.state;
    const facts = await visit(`/cb?state=${encodeURIComponent(state)}&spapi_oauth_code=ANAUTHCODE123&selling_partner_id=A3TESTSELLER01`, 'success-page.png');
    expect(facts.status).toBe(200);
    expect(facts.h1).toEqual(['Authorization received']);
    expect(facts.lang).toBe('en');
    expect(facts.overflow).toBe(false);
    expect(facts.bytes).toBeLessThan(4096);
    expect(facts.requested.every((url) => url.startsWith('http://127.0.0.1:'))).toBe(true);
    expect(facts.requested.at(-1)).toMatch(/\/cb\/done$/); // the code left the address bar
    await expect(server.code()).resolves.toMatchObject({ code: 'ANAUTHCODE123' });
  });
});
