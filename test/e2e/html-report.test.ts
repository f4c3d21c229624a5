// End to end: the page `status --html` writes, opened from disk in the real headless
// Chromium at a desktop (1280 px) and a phone (390 px) width, with 3 and with 500
// profiles. Screenshots go to .test-artifacts/ for a human to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { sandbox } from '../support/cli.js';
import { writeConfig, type ProfileFields } from '../support/config-file.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../.test-artifacts');
const DAY = 24 * 60 * 60 * 1000;
const daysFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString();
// The longest name a profile may have (64 characters, no break opportunity): it must wrap, not widen the page.
const LONG_NAME = `shop-${'x'.repeat(54)}-long`;

let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** Writes a config with `count` profiles spread over the year (some expired, some expiring) and runs status --html. */
async function writePage(count: number): Promise<{ file: string; profiles: string[]; apps: string[]; exitCode: number | undefined }> {
  const s = sandbox();
  const profiles: Record<string, ProfileFields> = {};
  const marketplaces = ['DE', 'FR', 'IT', 'ES', 'NL', 'SE'];
  for (let i = 0; i < count; i++) {
    const name = count === 3 ? ['shop-us-expiring', LONG_NAME, 'vendor-fr-expired'][i]! : `shop-${String(i).padStart(3, '0')}`;
    const daysLeft = count === 3 ? [12, 200, -40][i]! : ((i * 37) % 400) - 30;
    profiles[name] = {
      app: i % 7 === 0 ? 'second-app' : 'my-app',
      marketplace: marketplaces[i % marketplaces.length],
      role: i % 5 === 2 ? 'vendor' : 'seller',
      sellingPartnerId: `A3EXAMPLE${String(i).padStart(5, '0')}`,
      expiresAt: daysFromNow(daysLeft),
    };
  }
  const apps = { 'my-app': { clientSecretCreatedAt: daysFromNow(-160) }, 'second-app': { clientSecretCreatedAt: daysFromNow(-20) } };
  writeConfig(s.configDir, { apps, profiles });
  const file = join(dirname(s.configDir), 'report.html');
  const result = await s.run(['status', '--quiet', '--html', file]);
  return { file, profiles: Object.keys(profiles), apps: Object.keys(apps), exitCode: result.exitCode };
}

async function view(file: string, width: number, shot: string, fullPage: boolean) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A CSP violation (a blocked inline style, say) is reported as a console error.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const blocked: string[] = [];
  await context.route(/^(?!file:)/, (route) => {
    blocked.push(route.request().url());
    return route.abort();
  });
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  const facts = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    innerWidth: window.innerWidth,
    timelineNames: [...document.querySelectorAll('.rows .who b')].map((b) => b.textContent),
    tableNames: [...document.querySelectorAll('td.name')].map((td) => td.textContent),
    firstRow: document.querySelector('.rows .tl-row')?.textContent ?? '',
    text: document.body.innerText,
  }));
  const path = join(ARTIFACTS, shot);
  // 500 profiles make a page taller than a screenshot may be: the first screen, then.
  await page.screenshot({ path, fullPage });
  await context.close();
  return { ...facts, problems, requested, blocked, url, screenshotBytes: statSync(path).size };
}

describe.each([3, 500])('status --html with %i profiles, in Chromium', (count) => {
  let page: Awaited<ReturnType<typeof writePage>>;
  beforeAll(async () => {
    page = await writePage(count);
  });

  it.each([1280, 390])('at %i px: no errors, every name, no sideways scroll, nothing fetched', async (width) => {
    const { file, profiles, apps, exitCode } = page;
    expect(exitCode).toBe(4); // the usual code: some have expired
    const facts = await view(file, width, `html-report-${count}-profiles-${width}px.png`, count === 3);
    expect(facts.problems).toEqual([]);
    expect(facts.requested).toEqual([facts.url]);
    expect(facts.blocked).toEqual([]);
    expect(facts.scrollWidth).toBeLessThanOrEqual(facts.innerWidth);
    expect(facts.bodyScrollWidth).toBeLessThanOrEqual(facts.innerWidth);
    expect([...facts.timelineNames].sort()).toEqual([...profiles, ...apps].sort());
    expect(facts.tableNames).toEqual([...[...profiles].sort(), ...apps]);
    for (const name of profiles) expect(facts.text).toContain(name);
    expect(facts.firstRow).toMatch(/expired/); // due first
    expect(facts.screenshotBytes).toBeGreaterThan(5000);
    expect(readFileSync(file, 'utf8')).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
});
