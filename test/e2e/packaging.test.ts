// End to end: what `npm pack` ships, installed the way a user installs it, in a
// clean folder outside this repository. Dependencies come from the npm cache
// (--prefer-offline), or from the npm registry if the cache lacks them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeConfig } from '../support/config-file.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let work: string;
let files: string[];
let project: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'amz-token-pack-'));
  // npm test has just built dist/; --ignore-scripts packs that build instead of building again.
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  const [info] = JSON.parse(String(packed.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path).sort();
  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-amz-token', version: '1.0.0', private: true }));
  const installed = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], { cwd: project, reject: false });
  expect(installed.exitCode, String(installed.stderr)).toBe(0);
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function npx(args: string[], env: Record<string, string> = {}) {
  return execa('npx', ['--no-install', 'amz-token', ...args], { cwd: project, env: { NO_COLOR: '1', AMZ_TOKEN_CONFIG_DIR: join(work, 'config'), ...env }, reject: false });
}

describe('the npm package', () => {
  it('holds the executable, the two bundles and the file that chooses between them, the fast path, the library and its types, the pre-rendered help, their licences, the alert rules, serve\'s proxy and systemd files, the README and package.json: no sources, tests or maps', () => {
    expect(files).toEqual(['LICENSE', 'README.md', 'bin/amz-token.js', 'bin/package.json', 'contrib/caddy/Caddyfile', 'contrib/nginx/amz-token-serve.conf', 'contrib/prometheus/amz-token.rules.yml', 'contrib/systemd/amz-token-serve.service', 'dist/THIRD-PARTY-LICENSES.txt', 'dist/amz-token-jobs.cjs', 'dist/amz-token.cjs', 'dist/bundle-choice.cjs', 'dist/fast-path.cjs', 'dist/help.txt', 'dist/library.cjs', 'dist/library.d.cts', 'dist/library.d.mts', 'dist/library.mjs', 'package.json']);
  });

  it('is a library there too: require() and import of the installed package give accessToken and tokenProvider, and errors with the CLI\'s exit codes', async () => {
    const program = (load: string) =>
      `${load}\nlib.accessToken('no-such-profile', { configDir: ${JSON.stringify(join(work, 'empty-config'))} }).then(() => process.exit(1), (e) => { console.log(JSON.stringify({ exports: Object.keys(lib).sort(), provider: typeof lib.tokenProvider('shop-de').getAccessToken, code: e.exitCode, ours: e instanceof lib.AmzTokenError })); });`;
    for (const [args, load] of [
      [['-e'], "const lib = require('amz-token');"],
      [['--input-type=module', '-e'], "import * as lib from 'amz-token';"],
    ] as const) {
      const run = await execa('node', [...args, program(load)], { cwd: project, reject: false });
      expect(run.exitCode, String(run.stderr)).toBe(0);
      expect(JSON.parse(String(run.stdout))).toMatchObject({ provider: 'function', code: 5, ours: true });
      expect(JSON.parse(String(run.stdout)).exports).toEqual(expect.arrayContaining(['AmzTokenError', 'ExitCode', 'accessToken', 'tokenProvider']));
    }
  });

  it('installs into a clean folder, and `npx amz-token --help` and --version work there', async () => {
    const help = await npx(['--help']);
    expect(help.exitCode, String(help.stderr)).toBe(0);
    expect(String(help.stdout)).toMatch(/^Usage: amz-token /);
    expect(String(help.stdout)).toContain('Exit codes:');
    const v = await npx(['--version']);
    expect(String(v.stdout)).toBe(version);
  });

  it('works there: LWA over node:http, and @napi-rs/keyring, its one native dependency, for the keychain', async () => {
    const configDir = join(work, 'config');
    writeConfig(configDir, {
      apps: { 'my-app': { clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } },
      profiles: { 'shop-de': { expiresAt: '2027-06-01T00:00:00.000Z' } },
    });
    // A refused connection is exit 7 (Amazon unreachable), not a missing module (1).
    const token = await npx(['token', '--profile', 'shop-de'], {
      AMZ_TOKEN_REFRESH_TOKEN: 'Atzr|IwEBIFakeRefreshTokenForTests0123456789',
      AMZ_TOKEN_CLIENT_SECRET: 'amzn1.oa2-cs.v1.fakeclientsecret0123456789abcdef',
      AMZ_TOKEN_LWA_URL: 'http://127.0.0.1:9/auth/o2/token',
      AMZ_TOKEN_HTTP_TIMEOUT_MS: '500',
    });
    expect(token.exitCode, String(token.stderr)).toBe(7);
    // The native keychain binding loads, and reports that no Secret Service answers: exit 8.
    const check = await npx(['status', '--check'], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(check.exitCode, String(check.stderr)).toBe(8);
    expect(String(check.stderr)).toMatch(/DBus error/);
  });
});
