#!/usr/bin/env node
// The "browser" end-to-end tests hand to amz-token as $BROWSER: opens the URL in
// headless Chromium, answers the consent page, and logs where it landed.
//
// Usage: node browser-driver.mjs <url>
// Env:   DRIVER_ACTION     confirm (default: tick #authorize, click #confirm) | cancel | none
//        DRIVER_LOG        JSON-lines file to append events to (default: stderr)
//        DRIVER_SCREENSHOT PNG path for the final page
//        CHROMIUM_PATH     default /usr/bin/chromium
// Events: start {url} · navigated {url} (each main-frame navigation) ·
//         landed {url,title,text,action,acted} · error {message}
// Exit:   0 after "landed", 1 after "error", 2 on bad usage.
import { appendFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const LAND_TIMEOUT_MS = 20_000;
// A relay page navigates on from script right after it loads; this much quiet
// after the last main-frame navigation means the chain has ended.
const QUIET_MS = 750;
// The CLI does not wait for us, so nothing else would ever stop a stuck driver.
const WATCHDOG_MS = 60_000;
const MAX_TEXT = 4000;
const ACTIONS = new Set(['confirm', 'cancel', 'none']);

const codes = new Set();
// Set once "landed" or "error" is written, so late navigation events cannot follow it.
let finished = false;

/** Hides authorization codes in a URL, remembering them so page text can be scrubbed too. */
function scrubUrl(url) {
  return String(url).replace(/([?&#]spapi_oauth_code=)([^&#]*)/gi, (_, key, value) => {
    if (value) {
      codes.add(value);
      try {
        codes.add(decodeURIComponent(value.replace(/\+/g, ' ')));
      } catch {
        // a malformed escape is still hidden through its raw form
      }
    }
    return `${key}***`;
  });
}

function scrubText(text) {
  let out = scrubUrl(text);
  for (const code of codes) if (code) out = out.split(code).join('***');
  return out;
}

function log(event) {
  if (finished) return;
  if (event.event === 'landed' || event.event === 'error') finished = true;
  const line = `${JSON.stringify(event)}\n`;
  if (process.env.DRIVER_LOG) appendFileSync(process.env.DRIVER_LOG, line);
  else process.stderr.write(line);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts main-frame navigation requests in flight and when the last one started, ended or committed. */
function trackNavigations(page) {
  const state = { pending: 0, lastChange: Date.now() };
  const isMainNavigation = (request) => request.isNavigationRequest() && request.frame() === page.mainFrame();
  page.on('request', (request) => {
    scrubUrl(request.url()); // learn codes even from requests we never log
    if (!isMainNavigation(request)) return;
    state.pending += 1;
    state.lastChange = Date.now();
  });
  // A redirected request also ends with "requestfinished", and its successor is a new "request".
  const ended = (request) => {
    if (!isMainNavigation(request)) return;
    state.pending = Math.max(0, state.pending - 1);
    state.lastChange = Date.now();
  };
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    state.lastChange = Date.now();
    log({ event: 'navigated', url: scrubUrl(frame.url()) });
  });
  return state;
}

async function readPage(page) {
  return page.evaluate(() => ({
    readyState: document.readyState,
    title: document.title,
    text: document.body ? document.body.innerText : '',
  }));
}

/** Waits until no navigation is under way and the page has loaded and shows text (or the network is idle). */
async function settle(page, navigations, deadline) {
  while (Date.now() < deadline) {
    await sleep(100);
    if (navigations.pending > 0 || Date.now() - navigations.lastChange < QUIET_MS) continue;
    // Throws while a navigation swaps the document: just look again.
    const snapshot = await readPage(page).catch(() => undefined);
    if (!snapshot || snapshot.readyState === 'loading') continue;
    if (snapshot.text.trim() !== '') return snapshot;
    const idle = await page.waitForLoadState('networkidle', { timeout: 500 }).then(
      () => true,
      () => false,
    );
    if (idle && navigations.pending === 0 && Date.now() - navigations.lastChange >= QUIET_MS) return snapshot;
  }
  return undefined;
}

/** Performs DRIVER_ACTION if the page offers it; false when it does not (an error page, say). */
async function act(page, action) {
  if (action === 'confirm') {
    if ((await page.$('#authorize')) === null) return false;
    await page.check('#authorize');
    // settle() follows the navigation; Playwright's own wait would throw on a slow callback.
    await page.click('#confirm', { noWaitAfter: true });
    return true;
  }
  if (action === 'cancel') {
    if ((await page.$('#cancel')) === null) return false;
    await page.click('#cancel', { noWaitAfter: true });
    return true;
  }
  return false;
}

async function screenshot(page) {
  const path = process.env.DRIVER_SCREENSHOT;
  if (!path || !page) return;
  await page.screenshot({ path, fullPage: true, timeout: 3000 }).catch(() => undefined);
}

let browser;

async function closeBrowser() {
  if (!browser) return;
  const closing = browser.close().catch(() => undefined);
  browser = undefined;
  // Playwright kills the Chromium it launched when this process exits anyway.
  await Promise.race([closing, sleep(5000)]);
}

async function fail(message, code, page) {
  // Playwright colours its call log; the log file is for tests, not terminals.
  log({ event: 'error', message: scrubText(message.replace(/\u001b\[[0-9;]*m/g, '')) });
  await screenshot(page);
  await closeBrowser();
  process.exit(code);
}

async function main() {
  const url = process.argv[2];
  const action = process.env.DRIVER_ACTION || 'confirm';
  if (!url) return fail('usage: browser-driver.mjs <url>', 2);
  if (!ACTIONS.has(action)) return fail(`DRIVER_ACTION must be confirm, cancel or none, not ${action}`, 2);
  log({ event: 'start', url: scrubUrl(url) });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Tests may serve the callback over https with a throwaway certificate.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(LAND_TIMEOUT_MS);
  const navigations = trackNavigations(page);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: LAND_TIMEOUT_MS });
    const acted = await act(page, action);
    // The form's navigation may not have started yet: count the click as activity.
    navigations.lastChange = Date.now();
    const snapshot = await settle(page, navigations, Date.now() + LAND_TIMEOUT_MS);
    if (!snapshot) {
      return fail(`page did not settle within ${LAND_TIMEOUT_MS / 1000} s (at ${page.url()})`, 1, page);
    }
    log({
      event: 'landed',
      url: scrubUrl(page.url()),
      title: scrubText(snapshot.title),
      text: scrubText(snapshot.text.trim().slice(0, MAX_TEXT)),
      action,
      acted,
    });
    await screenshot(page);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), 1, page);
  }
  await closeBrowser();
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    void fail(`terminated by ${signal}`, 1);
  });
}
setTimeout(() => {
  void fail(`watchdog: still running after ${WATCHDOG_MS / 1000} s`, 1);
}, WATCHDOG_MS).unref();

main().catch((error) => fail(error instanceof Error ? error.message : String(error), 1));
