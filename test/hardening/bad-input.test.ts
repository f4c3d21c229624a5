// Hardening matrix: bad flags, arguments, config files and stdin. Every row
// gets one clear error line (plus at most one hint), the documented exit
// code, nothing on stdout, and no change to the config or the secrets.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync, symlinkSync, mkdirSync, chmodSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEnvironment, FAKE, type FakeEnvironment } from '../support/fake-deps.js';
import { parsePasted } from '../../src/flow/callback-query.js';

const APP = ['--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'];
const IMPORT = ['import', '--profile', 'p2', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345'];

/** A config with one app and one profile, and their secrets. */
// In-process, on the fake environment's fixed clock (2026-11-27, test/support/fake-deps.ts): the
// dates below are counted against it, not against today, so they never go stale.
async function seeded(env: Record<string, string> = {}): Promise<FakeEnvironment> {
  const e = fakeEnvironment({ env });
  expect((await e.run(['app', 'add', 'my-app', ...APP, '--secret-created', '2026-10-01'], FAKE.clientSecret)).code).toBe(0);
  expect((await e.run([...IMPORT.map((a) => (a === 'p2' ? 'shop' : a)), '--authorized-at', '2026-06-01'], FAKE.refreshToken)).code).toBe(0);
  return e;
}

function snapshot(e: FakeEnvironment): string {
  const files = existsSync(e.deps.configDir)
    ? readdirSync(e.deps.configDir).sort().map((f) => {
        const path = join(e.deps.configDir, f);
        const info = lstatSync(path);
        if (info.isSymbolicLink()) return `${f}->${readlinkSync(path)}`;
        return info.isDirectory() ? `${f}/` : `${f}:${info.mode.toString(8)}:${readFileSync(path, 'utf8')}`;
      })
    : [];
  return JSON.stringify({ files, secrets: [...e.store.items.entries()].sort() });
}

function expectOneClearLine(stderr: string) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^amz-token: \S/);
  expect(lines.length, stderr).toBeLessThanOrEqual(2); // the error, and at most one hint
  expect(stderr).not.toMatch(/\n\s+at \S+ \(/); // no stack trace
  expect(stderr).not.toContain(FAKE.clientSecret);
  expect(stderr).not.toContain(FAKE.refreshToken);
}

// [row, argv, stdin, expected exit code, message pattern, environment]
const FLAGS: Array<[string, string[], string, number, RegExp, Record<string, string>?]> = [
  ['an unknown flag', ['status', '--frobnicate'], '', 2, /unknown option '--frobnicate'/],
  ['an unknown command', ['stauts'], '', 2, /unknown command 'stauts'/],
  ['a flag missing its value', ['status', '--at'], '', 2, /option '--at <date>' argument missing/],
  ['a missing required flag', ['import', '--profile', 'p2', '--app', 'my-app'], '', 2, /required option '--marketplace <cc>' not specified/],
  ['an unknown marketplace', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'DE' ? 'ZZ' : a)), FAKE.refreshToken, 2, /--marketplace "ZZ" is not a known marketplace/],
  ['an unknown region', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'eu' ? 'asia' : a)), FAKE.refreshToken, 2, /--region "asia" is not a region/],
  ['a marketplace outside the region', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'DE' ? 'JP' : a)), FAKE.refreshToken, 2, /marketplace JP belongs to region fe, not eu/],
  ['a vendor import where there is no Vendor Central', [...IMPORT, '--vendor', '--authorized-at', '2026-01-01'].map((a) => (a === 'DE' ? 'IE' : a)), FAKE.refreshToken, 2, /IE has no Vendor Central/],
  ['a malformed application id', ['app', 'add', 'x', ...APP.map((a) => (a === FAKE.appId ? 'amzn1.sp.solution.12' : a))], FAKE.clientSecret, 2, /--app-id "amzn1.sp.solution.12" is not an SP-API application id/],
  ['a malformed client id', ['app', 'add', 'x', ...APP.map((a) => (a === FAKE.clientId ? 'amzn1.application-oa2-client.XYZ' : a))], FAKE.clientSecret, 2, /is not an LWA client id/],
  ['a lower-case selling partner id', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'A3EXAMPLE12345' ? 'a3example' : a)), FAKE.refreshToken, 2, /is not a selling partner id/],
  ['an impossible date', [...IMPORT, '--authorized-at', '2026-02-30'], FAKE.refreshToken, 2, /--authorized-at "2026-02-30" is not a date/],
  ['a month 13', [...IMPORT, '--expires-at', '2026-13-01'], FAKE.refreshToken, 2, /--expires-at "2026-13-01" is not a date/],
  ['a date in words', ['status', '--at', 'next friday'], '', 2, /--at "next friday" is not a date/],
  ['both date flags', [...IMPORT, '--authorized-at', '2026-01-01', '--expires-at', '2027-01-01'], FAKE.refreshToken, 2, /exactly one of --authorized-at and --expires-at/],
  ['neither date flag', IMPORT, FAKE.refreshToken, 2, /exactly one of --authorized-at and --expires-at/],
  ['--warn-days -1', ['status', '--warn-days', '-1'], '', 2, /--warn-days must be a whole number/],
  ['--warn-days abc', ['status', '--warn-days', 'abc'], '', 2, /--warn-days must be a whole number/],
  ['--warn-days 1e3', ['status', '--warn-days', '1e3'], '', 2, /--warn-days must be a whole number/],
  ['--timeout 0', ['request', '--profile', 'n', '--app', 'my-app', '--marketplace', 'DE', '--timeout', '0'], '', 2, /--timeout must be a whole number from 1 to 3600/],
  ['--port 99999', ['request', '--profile', 'n', '--app', 'my-app', '--marketplace', 'DE', '--port', '99999'], '', 2, /--port must be a whole number from 0 to 65535/],
  ['an unknown profile', ['status', '--profile', 'ghost'], '', 5, /no profile named "ghost"/],
  ['an unknown profile to renew', ['renew', '--profile', 'ghost'], '', 5, /no profile named "ghost"/],
  ['an unknown app to import into', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'my-app' ? 'ghost' : a)), FAKE.refreshToken, 5, /no app named "ghost"/],
  ['an unknown app to request with', ['request', '--profile', 'n', '--app', 'ghost', '--marketplace', 'DE'], '', 5, /no app named "ghost"/],
  ['a profile that exists already', [...IMPORT, '--authorized-at', '2026-01-01'].map((a) => (a === 'p2' ? 'shop' : a)), FAKE.refreshToken, 2, /profile "shop" exists already/],
  ['a profile name with a slash', ['status', '--profile', 'a/b'], '', 2, /--profile "a\/b" is not a valid name/],
  ['an app name with a space', ['app', 'add', 'my app', ...APP], FAKE.clientSecret, 2, /app name "my app" is not valid/],
  ['an http redirect URI off loopback', ['app', 'add', 'x', ...APP.map((a) => (a.startsWith('https://relay') ? 'http://relay.example.com/cb' : a))], FAKE.clientSecret, 2, /--redirect-uri must be https/],
  ['a redirect URI with a #fragment', ['app', 'add', 'x', ...APP.map((a) => (a.startsWith('https://relay') ? 'https://relay.example.com/cb#x' : a))], FAKE.clientSecret, 2, /must not contain a #fragment/],
  ['a redirect URI that is not a URL', ['app', 'add', 'x', ...APP.map((a) => (a.startsWith('https://relay') ? 'relay/cb' : a))], FAKE.clientSecret, 2, /is not an absolute URL/],
  ['a client secret as a flag', ['app', 'set-secret', 'my-app', '--client-secret', FAKE.clientSecret], '', 2, /--client-secret is not accepted: secrets on the command line are visible in ps/],
  ['a refresh token as a flag', [...IMPORT, `--refresh-token=${FAKE.refreshToken}`], '', 2, /--refresh-token is not accepted/],
  ['a refresh token as a stray argument', ['status', FAKE.refreshToken], '', 2, /refusing a secret/],
  ['a client secret as a flag value', ['app', 'add', FAKE.clientSecret, ...APP], '', 2, /refusing a secret/],
  ['a Central override that is not a URL', ['request', '--profile', 'n', '--app', 'my-app', '--marketplace', 'DE', '--no-browser'], '', 2, /AMZ_TOKEN_CENTRAL_URL "not a url" is not a URL/, { AMZ_TOKEN_CENTRAL_URL: 'not a url' }],
  ['a bad AMZ_TOKEN_PROFILE', ['token'], '', 2, /--profile "\.\." is not a valid name/, { AMZ_TOKEN_PROFILE: '..' }],
];

describe('bad flags and arguments', () => {
  it.each(FLAGS)('%s exits as documented and changes nothing', async (_row, argv, stdin, code, message, env) => {
    const e = await seeded(env);
    const before = snapshot(e);
    const result = await e.run(argv, stdin);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expectOneClearLine(result.stderr.replace(/\(run with --help for usage\)\n$/, ''));
    expect(result.stdout).toBe('');
    expect(snapshot(e)).toBe(before);
  });
});

// [row, how to break config.json, expected exit code of `status`, message pattern]
const CONFIGS: Array<[string, (file: string) => void, number, RegExp]> = [
  ['truncated JSON', (f) => writeFileSync(f, readFileSync(f, 'utf8').slice(0, 50)), 2, /is not valid JSON/],
  ['an empty file', (f) => writeFileSync(f, ''), 2, /is not valid JSON/],
  ['binary junk', (f) => writeFileSync(f, Buffer.from([0, 1, 2, 0xff, 0xfe])), 2, /is not valid JSON/],
  ['a list instead of an object', (f) => writeFileSync(f, '[]'), 2, /must hold a JSON object/],
  ['an unknown version', (f) => writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), version: 7 })), 2, /version 7, newer than this amz-token understands/],
  ['a string where a date belongs', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.profiles.shop.expiresAt = 'next year';
    writeFileSync(f, JSON.stringify(c));
  }, 2, /profiles\.shop\.expiresAt must be an ISO 8601 date-time/],
  ['a number where a name belongs', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.profiles.shop.app = 42;
    writeFileSync(f, JSON.stringify(c));
  }, 2, /profiles\.shop\.app must be a non-empty string/],
  // A shared, committed config.json must not be able to drive the terminal (ESC ] 0 sets the window title, ESC [2J clears the screen).
  ['an escape sequence in a profile name', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.profiles['\u001b]0;pwned\u0007'] = c.profiles.shop;
    writeFileSync(f, JSON.stringify(c));
  }, 2, /the name of profiles\.\?\]0;pwned\? "\?\]0;pwned\?" is not a valid name/],
  ['an escape sequence in an app name', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.apps['my\u001b[2Japp'] = c.apps['my-app'];
    writeFileSync(f, JSON.stringify(c));
  }, 2, /the name of apps\.my\?\[2Japp "my\?\[2Japp" is not valid/],
  ['an escape sequence in a selling partner id', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.profiles.shop.sellingPartnerId = 'A3\u001b[2J';
    writeFileSync(f, JSON.stringify(c));
  }, 2, /profiles\.shop\.sellingPartnerId "A3\?\[2J" is not a selling partner id/],
  ['a control character in a redirect URI', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.apps['my-app'].redirectUri = 'https://e.example/\u001b]0;x\u0007';
    writeFileSync(f, JSON.stringify(c));
  }, 2, /apps\.my-app\.redirectUri "https:\/\/e\.example\/\?\]0;x\?" contains spaces or control characters/],
  ['a client id that is not one', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.apps['my-app'].clientId = 'amzn1.application-oa2-client.nothex';
    writeFileSync(f, JSON.stringify(c));
  }, 2, /apps\.my-app\.clientId "amzn1\.application-oa2-client\.nothex" is not an LWA client id/],
  ['a profile whose app the file does not define', (f) => {
    const c = JSON.parse(readFileSync(f, 'utf8'));
    c.profiles.shop.app = 'gone-app';
    writeFileSync(f, JSON.stringify(c));
  }, 2, /profiles\.shop\.app names the app "gone-app", which the file does not define/],
  ['a symlink pointing elsewhere', (f) => {
    writeFileSync(`${f}.elsewhere`, readFileSync(f));
    rmSync(f);
    symlinkSync(`${f}.elsewhere`, f);
  }, 2, /is a symbolic link/],
  ['a directory where the file should be', (f) => {
    rmSync(f);
    mkdirSync(f);
  }, 2, /is a directory/],
];

describe('broken config files', () => {
  it.each(CONFIGS)('%s: status and import refuse it, name the file, and leave it as it was', async (_row, breakIt, code, message) => {
    const e = await seeded();
    const file = join(e.deps.configDir, 'config.json');
    breakIt(file);
    const before = snapshot(e);
    const status = await e.run(['status']);
    expect(status.code).toBe(code);
    expect(status.stderr).toContain(file);
    expect(status.stderr).toMatch(message);
    expect(status.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/); // nothing but text and newlines reaches the terminal
    expectOneClearLine(status.stderr);
    const write = await e.run([...IMPORT, '--authorized-at', '2026-01-01'], FAKE.refreshToken);
    expect(write.code).toBe(code);
    expect(snapshot(e)).toBe(before);
  });

  it('a config file others can read is tightened to 0600, with a warning, and still used', async () => {
    const e = await seeded();
    const file = join(e.deps.configDir, 'config.json');
    chmodSync(file, 0o644);
    const result = await e.run(['status']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: .*config\.json was readable by others \(mode 644\)/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

// [row, what arrives on stdin, accepted?]
const STDIN: Array<[string, string, boolean]> = [
  ['the bare token', FAKE.refreshToken, true],
  ['a trailing newline', `${FAKE.refreshToken}\n`, true],
  ['a trailing CRLF', `${FAKE.refreshToken}\r\n`, true],
  ['spaces and tabs around it', ` \t${FAKE.refreshToken}\t \n`, true],
  ['empty input', '', false],
  ['only whitespace', ' \r\n\t\n', false],
  ['two values', `${FAKE.refreshToken} ${FAKE.refreshToken}`, false],
  ['an access token instead', 'Atza|not-a-refresh-token', false],
  ['more than 64 KiB', 'A'.repeat(70 * 1024), false],
];

describe('secrets on stdin', () => {
  it.each(STDIN)('%s', async (_row, stdin, accepted) => {
    const e = await seeded();
    const before = snapshot(e);
    const result = await e.run([...IMPORT, '--authorized-at', '2026-01-01'], stdin);
    if (accepted) {
      expect(result.code, result.stderr).toBe(0);
      expect(e.store.items.get('profile/p2/refresh-token')).toBe(FAKE.refreshToken);
    } else {
      expect(result.code).toBe(2);
      expectOneClearLine(result.stderr);
      expect(snapshot(e)).toBe(before);
    }
  });

  it.each([
    ['a pasted URL with CRLF and spaces', '  https://relay.example.com/cb?state=1.abc&spapi_oauth_code=CODE12345&selling_partner_id=A1  \r\n', 'url'],
    ['a pasted bare code with a newline', 'ANdNAVhyhqirUelHGEHA\n', 'code'],
    ['an empty paste', ' \r\n', 'empty'],
    ['a pasted sentence', 'I could not find the URL', 'invalid'],
  ])('paste-back: %s', (_row, input, kind) => {
    expect(parsePasted(input).kind).toBe(kind);
  });
});
