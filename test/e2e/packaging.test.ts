// End to end: what `npm pack` ships, installed the way the README installs it without root
// (`npm install -g` into a prefix of one's own, ~/.local), in a clean home outside this repository;
// then the README's server path with it: no Secret Service, the file store chosen once, and the
// crontab lines as the README prints them, run in cron's bare environment. Dependencies come from
// the npm cache (--prefer-offline), or from the npm registry if the cache lacks them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { writeConfig } from '../support/config-file.js';
import { day, isoFromNow } from '../support/dates.js';
import { FAKE } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let work: string;
let files: string[];
/** The home folder of the user who installs it; the prefix is its ~/.local, as in the README. */
let home: string;
let installedBin: string;
let packageDir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'amz-token-pack-'));
  home = join(work, 'home');
  mkdirSync(home);
  // npm test has just built dist/; --ignore-scripts packs that build instead of building again.
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  const [info] = JSON.parse(String(packed.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path).sort();
  const prefix = join(home, '.local');
  const installed = await execa('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], { cwd: work, reject: false });
  expect(installed.exitCode, String(installed.stderr)).toBe(0);
  installedBin = join(prefix, 'bin', 'amz-token');
  packageDir = join(prefix, 'lib', 'node_modules', 'amz-token');
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function installed(args: string[], env: Record<string, string> = {}) {
  return execa(installedBin, args, { cwd: work, env: { NO_COLOR: '1', AMZ_TOKEN_CONFIG_DIR: join(work, 'config'), ...env }, reject: false });
}

/** Every relative link target in a markdown text: [text](target), without its #fragment. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#')).map((t) => t.replace(/#.*$/, ''));
}

describe('the npm package', () => {
  it('holds the executable, the bundles, the fast path, the library and its types, the pre-rendered help (for a pipe and for terminals), their licences, contrib/ (alert rules and their tests, proxy and systemd files), docs/, README, CONTRIBUTING and package.json: no sources, tests or maps', () => {
    const docs = files.filter((f) => f.startsWith('docs/'));
    expect(files.filter((f) => !f.startsWith('docs/'))).toEqual(['CONTRIBUTING.md', 'LICENSE', 'README.md', 'bin/amz-token.js', 'bin/package.json', 'contrib/caddy/Caddyfile', 'contrib/nginx/amz-token-serve.conf', 'contrib/prometheus/amz-token.rules.test.yml', 'contrib/prometheus/amz-token.rules.yml', 'contrib/systemd/amz-token-serve.service', 'dist/THIRD-PARTY-LICENSES.txt', 'dist/amz-token-jobs.cjs', 'dist/amz-token.cjs', 'dist/bundle-choice.cjs', 'dist/fast-path.cjs', 'dist/help-widths.cjs', 'dist/help-widths.json', 'dist/help.txt', 'dist/library.cjs', 'dist/library.d.cts', 'dist/library.d.mts', 'dist/library.mjs', 'package.json']);
    expect(docs).toContain('docs/commands/README.md');
    expect(docs.every((f) => f.endsWith('.md'))).toBe(true);
  });

  it('is a library there too: require() and import of the installed package give accessToken and tokenProvider, and errors with the CLI\'s exit codes', async () => {
    const program = (load: string) =>
      `${load}\nlib.accessToken('no-such-profile', { configDir: ${JSON.stringify(join(work, 'empty-config'))} }).then(() => process.exit(1), (e) => { console.log(JSON.stringify({ exports: Object.keys(lib).sort(), provider: typeof lib.tokenProvider('shop-de').getAccessToken, code: e.exitCode, ours: e instanceof lib.AmzTokenError })); });`;
    for (const [args, load] of [
      [['-e'], "const lib = require('amz-token');"],
      [['--input-type=module', '-e'], "import * as lib from 'amz-token';"],
    ] as const) {
      const run = await execa('node', [...args, program(load)], { cwd: dirname(dirname(packageDir)), reject: false });
      expect(run.exitCode, String(run.stderr)).toBe(0);
      expect(JSON.parse(String(run.stdout))).toMatchObject({ provider: 'function', code: 5, ours: true });
      expect(JSON.parse(String(run.stdout)).exports).toEqual(expect.arrayContaining(['AmzTokenError', 'ExitCode', 'accessToken', 'tokenProvider']));
    }
  });

  it('every relative link in its README and the pages it ships leads to a file it ships', () => {
    const pages = files.filter((f) => f.endsWith('.md'));
    const shipped = new Set(files);
    const dead: string[] = [];
    let checked = 0;
    for (const page of pages) {
      // Read from the installed copy: what a user who opens the README finds.
      for (const target of relativeLinks(readFileSync(join(packageDir, page), 'utf8'))) {
        const file = normalize(join(dirname(page), target === '' ? page : target));
        checked++;
        if (!shipped.has(file)) dead.push(`${page} -> ${target}`);
      }
    }
    expect(dead).toEqual([]);
    expect(relativeLinks(readFileSync(join(packageDir, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
    expect(checked).toBeGreaterThan(50);
  });

  it('installs into a prefix of its own (~/.local), and `amz-token --help` and --version work from its bin/', async () => {
    const help = await installed(['--help']);
    expect(help.exitCode, String(help.stderr)).toBe(0);
    expect(String(help.stdout)).toMatch(/^Usage: amz-token /);
    expect(String(help.stdout)).toContain('Exit codes:');
    const v = await installed(['--version']);
    expect(String(v.stdout)).toBe(version);
  });

  it('works there: LWA over node:http, and @napi-rs/keyring, its one native dependency, for the keychain', async () => {
    const configDir = join(work, 'config');
    writeConfig(configDir, {
      apps: { 'my-app': { clientSecretCreatedAt: isoFromNow(-60) } },
      profiles: { 'shop-de': { expiresAt: isoFromNow(200) } },
    });
    // A refused connection is exit 7 (Amazon unreachable), not a missing module (1).
    const token = await installed(['token', '--profile', 'shop-de'], {
      AMZ_TOKEN_REFRESH_TOKEN: 'Atzr|IwEBIFakeRefreshTokenForTests0123456789',
      AMZ_TOKEN_CLIENT_SECRET: 'amzn1.oa2-cs.v1.fakeclientsecret0123456789abcdef',
      AMZ_TOKEN_LWA_URL: 'http://127.0.0.1:9/auth/o2/token',
      AMZ_TOKEN_HTTP_TIMEOUT_MS: '500',
    });
    expect(token.exitCode, String(token.stderr)).toBe(7);
    // The native keychain binding loads, and reports that no Secret Service answers: exit 8.
    const check = await installed(['status', '--check'], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(check.exitCode, String(check.stderr)).toBe(8);
    expect(String(check.stderr)).toMatch(/DBus error/);
  });
});

describe("the README's server path, with the installed package", () => {
  let double: AmazonDouble;
  afterAll(async () => double?.close());

  it('no Secret Service: the store chosen once with config set store file; app add, import and the crontab lines as printed work in cron\'s bare environment, silent when nothing needs doing', async () => {
    double = await startAmazonDouble({
      apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    });
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    // The crontab block of Getting started, as printed: its PATH= line and its job's command.
    const crontab = /```sh\n# crontab -e[^\n]*\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const pathLine = /^PATH=(\S+)$/m.exec(crontab)?.[1];
    const job = /^17 7 \* \* \*\s+(.+)$/m.exec(crontab)?.[1];
    expect(pathLine, crontab).toBeDefined();
    expect(job).toBe('amz-token status --check --quiet');
    // Cron's environment: HOME, LOGNAME, SHELL and the crontab's PATH line, nothing else: no D-Bus
    // session, no AMZ_TOKEN_* (only the test double's LWA address, as a crontab line would set it).
    // libfaketime's variables pass too when the suite runs with the clock moved (.ci/run's third leg):
    // they are the harness's clock, not the user's environment, and the dates below count from it.
    const clock = Object.entries(process.env).filter(([k]) => k === 'LD_PRELOAD' || k === 'FAKETIME' || k.startsWith('FAKETIME_'));
    const cron = (command: string, input = '', extra: Record<string, string> = {}) =>
      execa('env', ['-i', ...clock.map(([k, v]) => `${k}=${v}`), `HOME=${home}`, `LOGNAME=${userInfo().username}`, 'SHELL=/bin/sh', `PATH=${pathLine!.replaceAll('/home/you', home)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`), '/bin/sh', '-c', command], {
        input,
        reject: false,
      });

    // Without a choice, the keychain cannot open: exit 8, and the message names the one command.
    const refused = await cron(`amz-token app add my-app --app-id ${FAKE.appId} --client-id ${FAKE.clientId} --redirect-uri https://relay.example.com/amz/`, FAKE.clientSecret);
    expect(refused.exitCode, String(refused.stderr)).toBe(8);
    expect(String(refused.stderr)).toContain('amz-token config set store file');
    const keychain = await cron('amz-token config set store keychain');
    expect(keychain.exitCode).toBe(8);
    expect(String(keychain.stderr)).toMatch(/Secret Service|DBus/);

    const chosen = await cron('amz-token config set store file');
    expect(chosen.exitCode, String(chosen.stderr)).toBe(0);
    expect(String(chosen.stderr).match(/warning: the file store keeps secrets in/g)).toHaveLength(1);
    expect(String((await cron('amz-token config get store')).stdout)).toBe('file');

    const added = await cron(`amz-token app add my-app --app-id ${FAKE.appId} --client-id ${FAKE.clientId} --redirect-uri https://relay.example.com/amz/ --secret-created ${day(-10)}`, FAKE.clientSecret);
    expect(added.exitCode, String(added.stderr)).toBe(0);
    expect(String(added.stderr)).not.toMatch(/warning/);
    const token = double.issueRefreshToken(FAKE.clientId);
    const imported = await cron(`amz-token import --profile shop-de --app my-app --marketplace DE --selling-partner-id ${double.sellingPartnerId} --authorized-at ${day(-10)}`, token);
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    const secretsFile = join(home, '.local', 'share', 'amz-token', 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, '.config', 'amz-token', 'config.json'), 'utf8')).toContain('"store": "file"');

    // The crontab's job: nothing on stdout or stderr (so no mail), exit 0, the token proved at LWA.
    const lwa = { AMZ_TOKEN_LWA_URL: double.lwaUrl };
    for (const command of [job!, 'amz-token status --quiet']) {
      const quiet = await cron(command, '', lwa);
      expect({ command, exitCode: quiet.exitCode, stdout: String(quiet.stdout), stderr: String(quiet.stderr) }).toEqual({ command, exitCode: 0, stdout: '', stderr: '' });
    }

    // When something needs doing, the same line says so: one line naming the fix, exit 4.
    double.revoke(token);
    const due = await cron(job!, '', lwa);
    expect(due.exitCode).toBe(4);
    expect(`${due.stdout}${due.stderr}`).toContain('amz-token renew --profile shop-de');
  });
});
