// Scaffolding for end-to-end tests of request/renew: the Amazon double, an app
// registered against it, the Chromium driver as $BROWSER, and a scripted
// "seller" that answers the consent page over plain HTTP for paste-back tests.

import { createServer } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { BIN } from './cli.js';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAmazonDouble, type AmazonDouble, type DoubleApp, type DoubleOptions } from '../amazon-double/index.js';
import { sandbox, type Sandbox } from './cli.js';
import { FAKE } from './fake-deps.js';

export const DRIVER = resolve(import.meta.dirname, 'browser-driver.mjs');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface FlowRig {
  double: AmazonDouble;
  s: Sandbox;
  app: string;
  redirectUri: string;
  /** Environment that points amz-token at the double and the Chromium driver. */
  env: Record<string, string>;
  driverLog: string;
  driverEvents(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** The app's registered redirect URI; default a fresh loopback http://127.0.0.1:PORT/cb. */
  redirectUri?: string;
  loginUri?: string;
  draft?: boolean;
  /** The client secret amz-token is given (default: the one the double expects). */
  storedSecret?: string;
  double?: Partial<DoubleOptions>;
  extraApp?: Partial<DoubleApp>;
}

export async function flowRig(options: RigOptions = {}): Promise<FlowRig> {
  const redirectUri = options.redirectUri ?? `http://127.0.0.1:${await freePort()}/cb`;
  const double = await startAmazonDouble({
    apps: [
      {
        applicationId: FAKE.appId,
        clientId: FAKE.clientId,
        clientSecret: FAKE.clientSecret,
        redirectUris: [redirectUri],
        ...(options.loginUri ? { loginUri: options.loginUri } : {}),
        ...(options.draft ? { draft: true } : {}),
        ...options.extraApp,
      },
    ],
    ...options.double,
  });
  const s = sandbox();
  const app = `${s.prefix}-app`;
  const added = await s.run(
    ['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', redirectUri, ...(options.draft ? ['--draft'] : [])],
    { input: options.storedSecret ?? FAKE.clientSecret },
  );
  if (added.exitCode !== 0) throw new Error(`app add failed: ${String(added.stderr)}`);
  const driverLog = join(mkdtempSync(join(tmpdir(), 'amz-token-driver-')), 'events.jsonl');
  const env = {
    AMZ_TOKEN_CENTRAL_URL: double.origin,
    AMZ_TOKEN_LWA_URL: double.lwaUrl,
    AMZ_TOKEN_SPAPI_URL: double.spApiOrigin,
    BROWSER: `node ${DRIVER}`,
    DRIVER_LOG: driverLog,
    CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  };
  Object.assign(s.env, env);
  return {
    double,
    s,
    app,
    redirectUri,
    env,
    driverLog,
    driverEvents: () =>
      existsSync(driverLog)
        ? readFileSync(driverLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    close: () => double.close(),
  };
}

/** Waits until the driver has logged `landed` or `error` (the CLI does not wait for its browser). */
export async function driverFinished(rig: FlowRig, limitMs = 30_000): Promise<Record<string, unknown>> {
  const until = Date.now() + limitMs;
  for (;;) {
    const last = rig.driverEvents().find((e) => e.event === 'landed' || e.event === 'error');
    if (last) return last;
    if (Date.now() > until) throw new Error(`the browser driver did not finish: ${JSON.stringify(rig.driverEvents())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The consent URL amz-token printed on stderr. */
export function consentUrlFrom(stderr: string): string {
  const match = /^\s+(https?:\/\/\S+\/apps\/authorize\/consent\?\S+)$/m.exec(stderr);
  if (!match) throw new Error(`no consent URL in: ${stderr}`);
  return match[1]!;
}

/**
 * Plays the seller without a browser: loads the consent page, ticks the box,
 * confirms, and returns the address Amazon redirects to (it carries the code).
 */
export async function confirmConsent(consentUrl: string): Promise<string> {
  const page = await fetch(consentUrl);
  const html = await page.text();
  const consentId = /name="consent_id" value="([^"]+)"/.exec(html)?.[1];
  if (!consentId) throw new Error(`no consent form (HTTP ${page.status}): ${html.slice(0, 300)}`);
  const confirm = await fetch(new URL('/apps/authorize/confirm', consentUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent_id: consentId.replace(/&amp;/g, '&'), authorize: 'yes', action: 'confirm' }).toString(),
    redirect: 'manual',
  });
  const location = confirm.headers.get('location');
  if (confirm.status !== 302 || !location) throw new Error(`confirm answered ${confirm.status}`);
  return location;
}

/** Waits until `predicate(text)` holds for a growing output buffer. */
export async function waitForOutput(read: () => string, predicate: (text: string) => boolean, limitMs = 20_000): Promise<string> {
  const until = Date.now() + limitMs;
  for (;;) {
    const text = read();
    if (predicate(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for output; got: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The relay page exactly as `amz-token relay-page --port <port>` prints it. */
export async function relayPageHtml(port: number): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa('node', [BIN, 'relay-page', '--port', String(port)]);
  return String(result.stdout);
}

/**
 * Stands in for the operator's https host: serves one page at every path, with
 * a throwaway self-signed certificate (the driver's Chromium ignores cert errors).
 */
export async function startHttpsHost(html: string): Promise<{ origin: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    origin: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
