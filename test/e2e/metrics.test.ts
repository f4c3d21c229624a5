// End to end: `status --format prometheus` and `--metrics-file` through the built
// binary, read by the real tools: Debian's promtool lints it, and
// prometheus-node-exporter's textfile collector serves it over HTTP on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { sandbox, requireTestKeyring, type Sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { FAKE } from '../support/fake-deps.js';
import { dayFromToday } from '../support/dates.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

const DAY = 24 * 60 * 60 * 1000;
const daysFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString();
/** shop-de's expiry: a midnight, so that its timestamp is whole seconds. */
const SHOP_DE_EXPIRES = dayFromToday(300).toISOString();

function rig(): Sandbox {
  const s = sandbox();
  writeConfig(s.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: daysFromNow(-10) }, 'other-app': { clientSecretCreatedAt: daysFromNow(-170) } },
    profiles: {
      'shop-de': { expiresAt: SHOP_DE_EXPIRES },
      'shop-us': { app: 'other-app', region: 'na', marketplace: 'US', sellingPartnerId: 'A1EXAMPLE98765', expiresAt: daysFromNow(12) },
      'vendor-fr': { role: 'vendor', marketplace: 'FR', sellingPartnerId: 'A2EXAMPLEVEND1', expiresAt: daysFromNow(-3) },
    },
  });
  return s;
}

/** promtool check metrics on `text`: its exit code and every finding it prints. */
async function promtoolCheck(text: string): Promise<{ exitCode: number | undefined; findings: string }> {
  const result = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
  return { exitCode: result.exitCode, findings: `${result.stdout}${result.stderr}`.trim() };
}

/** Sample lines of one metric family: labels text -> value. */
function series(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) found.set(match[1] ?? '', Number(match[2]));
  return found;
}

const doubles: AmazonDouble[] = [];
const exporters: ResultPromise[] = [];
afterEach(async () => {
  for (const exporter of exporters.splice(0)) {
    exporter.kill('SIGTERM');
    await exporter.catch(() => undefined);
  }
  for (const double of doubles.splice(0)) await double.close();
});

describe('status --format prometheus', () => {
  it('passes promtool check metrics with no findings; --metrics-file writes the same text, 0644, atomically', async () => {
    const s = rig();
    const file = join(dirname(s.configDir), 'amz-token.prom');
    const result = await s.run(['status', '--format', 'prometheus', '--metrics-file', file]);
    expect(result.exitCode).toBe(4); // the usual code: vendor-fr has expired
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${result.stdout}\n`); // the same text on stdout (execa strips the final newline)
    expect(await promtoolCheck(text)).toEqual({ exitCode: 0, findings: '' });
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(readdirSync(dirname(file)).filter((name) => name !== 'config' && name !== 'amz-token.prom')).toEqual([]);
    expect(series(text, 'amz_token_authorization_expiry_timestamp_seconds').get(
      '{profile="shop-de",app="my-app",region="eu",marketplace="DE",role="seller",selling_partner_id="A3EXAMPLE12345"}',
    )).toBe(Date.parse(SHOP_DE_EXPIRES) / 1000);
    expect([...series(text, 'amz_token_client_secret_expiry_timestamp_seconds').keys()]).toEqual(['{app="my-app"}', '{app="other-app"}']);
    expect(series(text, 'amz_token_check_success').size).toBe(0);
  });

  it('with --check adds check success and time per profile, still lint-free, and no secret in the file or the page', async () => {
    requireTestKeyring();
    const double = await startAmazonDouble({
      apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    });
    doubles.push(double);
    const s = sandbox();
    const app = `${s.prefix}-app`;
    const env = { AMZ_TOKEN_LWA_URL: double.lwaUrl };
    const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', daysFromNow(-10).slice(0, 10)], { input: `${FAKE.clientSecret}\n` });
    expect(added.exitCode, String(added.stderr)).toBe(0);
    const tokens: string[] = [];
    for (const name of ['good', 'revoked']) {
      const token = double.issueRefreshToken(FAKE.clientId);
      tokens.push(token);
      const imported = await s.run(
        ['import', '--profile', `${s.prefix}-${name}`, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', daysFromNow(-10).slice(0, 10)],
        { input: `${token}\n` },
      );
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
    }
    double.revoke(tokens[1]!);

    const metricsFile = join(dirname(s.configDir), 'amz-token.prom');
    const page = join(dirname(s.configDir), 'amz-token.html');
    const before = Date.now() / 1000;
    const result = await s.run(['status', '--check', '--quiet', '--metrics-file', metricsFile, '--html', page], { env });
    const after = Date.now() / 1000;
    expect(result.exitCode).toBe(4); // rejected
    const text = readFileSync(metricsFile, 'utf8');
    expect(await promtoolCheck(text)).toEqual({ exitCode: 0, findings: '' });
    const labels = (name: string) => `{profile="${s.prefix}-${name}",app="${app}",region="eu",marketplace="DE",role="seller",selling_partner_id="A3TESTSELLER01"}`;
    const success = series(text, 'amz_token_check_success');
    expect(success).toEqual(new Map([[labels('good'), 1], [labels('revoked'), 0]]));
    for (const time of series(text, 'amz_token_check_timestamp_seconds').values()) {
      expect(time).toBeGreaterThanOrEqual(Math.floor(before));
      expect(time).toBeLessThanOrEqual(after);
    }
    const generated = series(text, 'amz_token_status_generated_timestamp_seconds').get('')!;
    expect(generated).toBeGreaterThanOrEqual(Math.floor(before));
    expect(generated).toBeLessThanOrEqual(Math.max(...series(text, 'amz_token_check_timestamp_seconds').values()));
    expect(readFileSync(page, 'utf8')).toContain('invalid_grant');
    // Every file under the sandbox (config, metrics, page) and every output: no token, no secret.
    const everything = [s.configText(), String(result.stdout), String(result.stderr)].join('\n');
    for (const secret of [FAKE.clientSecret, ...tokens]) expect(everything.includes(secret), 'a secret leaked').toBe(false);
    expect(everything).not.toContain('Atza|');
  });
});

describe('node_exporter reads the file', () => {
  it('serves the metrics from --metrics-file through its textfile collector, over HTTP on loopback, while status rewrites the file', async () => {
    const s = rig();
    const textfiles = dirname(s.configDir); // node_exporter reads *.prom here; the sandbox's config folder sits beside
    const file = join(textfiles, 'amz-token.prom');
    expect((await s.run(['status', '--quiet', '--metrics-file', file])).exitCode).toBe(4);
    const url = await startNodeExporter(textfiles);

    const first = await scrape(url);
    expect(first).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(first).toContain('# TYPE amz_token_authorization_expiry_timestamp_seconds gauge');
    expect(series(first, 'amz_token_authorization_expiry_timestamp_seconds').get(
      '{app="my-app",marketplace="DE",profile="shop-de",region="eu",role="seller",selling_partner_id="A3EXAMPLE12345"}',
    )).toBe(Date.parse(SHOP_DE_EXPIRES) / 1000);
    expect(series(first, 'amz_token_client_secret_expiry_timestamp_seconds').size).toBe(2);
    expect(series(first, 'amz_token_status_generated_timestamp_seconds').size).toBe(1);

    // Scrape without pause while status replaces the file again and again: every scrape sees a whole file.
    let rewriting = true;
    const scrapes: string[] = [];
    const scraper = (async () => {
      while (rewriting) scrapes.push(await scrape(url));
    })();
    const written: number[] = [];
    for (let i = 0; i < 8; i++) {
      await s.run(['status', '--quiet', '--metrics-file', file]);
      written.push(series(readFileSync(file, 'utf8'), 'amz_token_status_generated_timestamp_seconds').get('')!);
    }
    rewriting = false;
    await scraper;
    expect(scrapes.length).toBeGreaterThan(0);
    for (const text of scrapes) {
      expect(text).toMatch(/^node_textfile_scrape_error 0$/m);
      expect(series(text, 'amz_token_authorization_expiry_timestamp_seconds').size).toBe(3);
    }
    const last = await scrape(url);
    expect(series(last, 'amz_token_status_generated_timestamp_seconds').get('')).toBe(written.at(-1));
    expect(readdirSync(textfiles).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

/** Starts prometheus-node-exporter with only the textfile collector, on a free loopback port; returns its metrics URL. */
async function startNodeExporter(directory: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const exporter = execa(
      'prometheus-node-exporter',
      [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${directory}`],
      { reject: false, stdin: 'ignore' },
    );
    exporters.push(exporter);
    const url = `http://127.0.0.1:${port}/metrics`;
    let exited = false;
    void exporter.then(() => (exited = true));
    // Until it answers; it exits at once if another process took the port in the meantime.
    for (let tries = 0; tries < 200 && !exited; tries++) {
      const answer = await fetch(url).then((r) => r.ok, () => false);
      if (answer) return url;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await (exited ? exporter : Promise.resolve(undefined));
    if (attempt >= 2) throw new Error(`prometheus-node-exporter did not start: ${result ? String(result.stderr).slice(-500) : 'no answer'}`);
  }
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
