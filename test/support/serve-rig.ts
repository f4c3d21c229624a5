// Scaffolding for tests of `amz-token serve` as sellers meet it: the Amazon double with an app
// whose Redirect URI is <base-url>/callback and Login URI <base-url>/login, a config folder with
// that app and profiles imported with refresh tokens the double issued, `serve` itself (spawned
// from dist/), and optionally Debian's nginx with TLS in front of it under a made-up host.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAmazonDouble, type AmazonDouble, type DoubleApp } from '../amazon-double/index.js';
import { sandbox, secretToolLookup, type Running, type Sandbox } from './cli.js';
import { waitForOutput } from './flow.js';
import { FAKE } from './fake-deps.js';
import { madeUpHost, startNginx, type NginxProxy } from './nginx-tls.js';

export const SELLER = 'A3TESTSELLER01';
export const BASE_PATH = '/amz-token';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The seller at the double's consent page (where `page` is headed): ticks the box, confirms, and lands on `doneUrl`. */
export async function confirmOnDouble(page: Page, doneUrl: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/apps/authorize/consent');
  await page.check('#authorize');
  await Promise.all([page.waitForURL(doneUrl), page.click('#confirm')]);
}

export interface ServeRig {
  double: AmazonDouble;
  s: Sandbox;
  app: string;
  /** https://HOST/amz-token: what serve is given and what the double has registered. */
  baseUrl: string;
  host: string;
  serve: Running;
  /** http://127.0.0.1:PORT, serve's own listener (no proxy). */
  direct: string;
  nginx?: NginxProxy;
  /**
   * Imports a profile with a fresh refresh token from the double; returns that token. `grantedBy`:
   * the seller the double binds the token to, when the profile records another (e.g. UNKNOWN).
   */
  profile(name: string, options?: { sellingPartnerId?: string; marketplace?: string; grantedBy?: string }): Promise<string>;
  /** `amz-token invite --profile NAME --json` in this config folder; returns the link. */
  invite(profile: string, extra?: string[], env?: Record<string, string>): Promise<string>;
  refreshToken(profile: string): Promise<string | null>;
  /** A Chromium that reaches HOST through nginx and trusts its certificate (needs `nginx: true`). */
  browser(): Promise<Browser>;
  newContext(locale?: string): Promise<BrowserContext>;
  /** SIGTERM to serve; resolves with its exit code. */
  stopServe(): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface ServeRigOptions {
  nginx?: boolean;
  /** nginx's request rate per client (default the snippet's). */
  rate?: string;
  draft?: boolean;
  serveArgs?: string[];
  env?: Record<string, string>;
  extraApp?: Partial<DoubleApp>;
  /** Start serve in this sandbox rather than a fresh one (the team store case). */
  sandbox?: Sandbox;
}

export async function startServeRig(options: ServeRigOptions = {}): Promise<ServeRig> {
  const host = madeUpHost();
  const baseUrl = `https://${host}${BASE_PATH}`;
  const double = await startAmazonDouble({
    apps: [
      {
        applicationId: FAKE.appId,
        clientId: FAKE.clientId,
        clientSecret: FAKE.clientSecret,
        redirectUris: [`${baseUrl}/callback`],
        loginUri: `${baseUrl}/login`,
        ...(options.draft ? { draft: true } : {}),
        ...options.extraApp,
      },
    ],
  });
  const s = options.sandbox ?? sandbox();
  Object.assign(s.env, { AMZ_TOKEN_CENTRAL_URL: double.origin, AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin, ...options.env });
  const app = `${s.prefix}-app`;
  const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', `${baseUrl}/callback`, ...(options.draft ? ['--draft'] : [])], {
    input: FAKE.clientSecret,
  });
  if (added.exitCode !== 0) throw new Error(`app add failed: ${String(added.stderr)}`);

  const serve = s.start(['serve', '--listen', '127.0.0.1:0', '--base-url', baseUrl, ...(options.serveArgs ?? [])], { timeout: 600_000 });
  const ready = await waitForOutput(serve.stderr, (text) => /127\.0\.0\.1:(\d+)/.test(text) || serve.child.exitCode !== null, 30_000);
  const port = /127\.0\.0\.1:(\d+)/.exec(ready)?.[1];
  if (!port) throw new Error(`serve did not start: ${ready}`);
  const direct = `http://127.0.0.1:${port}`;
  const nginx = options.nginx ? await startNginx({ host, upstreamPort: Number(port), rate: options.rate }) : undefined;

  let browser: Browser | undefined;
  const rig: ServeRig = {
    double,
    s,
    app,
    baseUrl,
    host,
    serve,
    direct,
    nginx,
    async profile(name, profileOptions = {}) {
      const seller = profileOptions.sellingPartnerId ?? SELLER;
      const token = double.issueRefreshToken(FAKE.clientId, profileOptions.grantedBy ?? seller);
      const imported = await s.run(
        ['import', '--profile', name, '--app', app, '--region', 'eu', '--marketplace', profileOptions.marketplace ?? 'DE', '--selling-partner-id', seller, '--authorized-at', new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10)],
        { input: token },
      );
      if (imported.exitCode !== 0) throw new Error(`import failed: ${String(imported.stderr)}`);
      return token;
    },
    async invite(profile, extra = [], env = {}) {
      const made = await s.run(['invite', '--profile', profile, '--base-url', baseUrl, '--json', ...extra], { env });
      if (made.exitCode !== 0) throw new Error(`invite failed (${made.exitCode}): ${String(made.stderr)}`);
      return (JSON.parse(String(made.stdout)) as { url: string }).url;
    },
    refreshToken: (profile) => secretToolLookup(`profile/${profile}/refresh-token`),
    async browser() {
      if (!nginx) throw new Error('browser() needs the rig started with nginx: true');
      browser ??= await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...nginx.chromiumArgs] });
      return browser;
    },
    async newContext(locale = 'en-US') {
      return (await rig.browser()).newContext({ locale, extraHTTPHeaders: {} });
    },
    async stopServe() {
      if (serve.child.exitCode === null) serve.child.kill('SIGTERM');
      const result = await serve.child;
      return result.exitCode;
    },
    async close() {
      await browser?.close().catch(() => undefined);
      if (serve.child.exitCode === null) {
        serve.child.kill('SIGTERM');
        await serve.child;
      }
      await nginx?.stop();
      await double.close();
    },
  };
  return rig;
}
