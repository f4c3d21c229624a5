// In-process runs of the CLI with fake collaborators: parsing, messages and
// exit codes. The real keychain and files are covered by test/e2e.
import { describe, it, expect } from 'vitest';
import { fakeEnvironment, FAKE } from '../support/fake-deps.js';
import { StoreUnavailableError } from '../../src/errors.js';

const appArgs = ['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb', '--secret-created', '2026-10-01'];
const importArgs = (profile: string, date: string[]) => [
  'import', '--profile', profile, '--app', 'my-app', '--region', 'eu', '--marketplace', 'de', '--selling-partner-id', 'A3EXAMPLE12345', ...date,
];

describe('argument parsing', () => {
  it.each([
    [['--version'], 0],
    [['--help'], 0],
    [['status', '--help'], 0],
    [['nonsense'], 2],
    [['status', '--warn-days'], 2],
    [['import', '--profile', 'p'], 2],
    [['app', 'add', 'x'], 2],
    [['request', '--profile', 'p', '--app', 'a'], 2],
    [['request', '--profile', 'p', '--app', 'a', '--marketplace', 'DE', '--timeout', '0'], 2],
    [['request', '--profile', 'p', '--app', 'a', '--marketplace', 'DE', '--port', '70000'], 2],
    [['status', '--profile', '../etc'], 2],
    [['app'], 2],
    [['store'], 2],
    [['--json', 'store'], 2],
    [['completion'], 2],
    [['app', '--help'], 0],
    [[], 0],
  ])('%j exits %i', async (argv, code) => {
    const env = fakeEnvironment();
    const result = await env.run(argv as string[]);
    expect(result.code).toBe(code);
  });

  it('every command prints examples and exit codes in --help', async () => {
    for (const command of [['status'], ['import'], ['remove'], ['request'], ['renew'], ['relay-page'], ['app', 'add'], ['app', 'list']]) {
      const result = await fakeEnvironment().run([...command, '--help']);
      expect(result.stdout, command.join(' ')).toMatch(/Examples:\n {2}\$ amz-token/);
      expect(result.stdout, command.join(' ')).toMatch(/Exit codes: /);
    }
  });
});

describe('commands in-process', () => {
  it('app add reads the secret from stdin and import from stdin, trimming CRLF and spaces', async () => {
    const env = fakeEnvironment();
    expect((await env.run(appArgs, `${FAKE.clientSecret}\r\n`)).code).toBe(0);
    expect(env.store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
    const imported = await env.run(importArgs('shop-de', ['--authorized-at', '2026-03-01']), `  ${FAKE.refreshToken}  \n`);
    expect(imported.code, imported.stderr).toBe(0);
    expect(env.store.items.get('profile/shop-de/refresh-token')).toBe(FAKE.refreshToken);
  });

  it('import refuses something that is not a refresh token, and both or neither date flag', async () => {
    const env = fakeEnvironment();
    await env.run(appArgs, FAKE.clientSecret);
    const access = await env.run(importArgs('p', ['--authorized-at', '2026-03-01']), 'Atza|an-access-token');
    expect(access.code).toBe(2);
    expect(access.stderr).toContain('not a refresh token');
    expect(access.stderr).not.toContain('an-access-token');
    expect((await env.run(importArgs('p', []), FAKE.refreshToken)).code).toBe(2);
    expect((await env.run(importArgs('p', ['--authorized-at', '2026-03-01', '--expires-at', '2027-03-01']), FAKE.refreshToken)).code).toBe(2);
    expect(env.store.items.has('profile/p/refresh-token')).toBe(false);
  });

  it('import refuses a marketplace outside the region', async () => {
    const env = fakeEnvironment();
    await env.run(appArgs, FAKE.clientSecret);
    const result = await env.run([...importArgs('p', ['--authorized-at', '2026-03-01']).map((a) => (a === 'de' ? 'US' : a))], FAKE.refreshToken);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('marketplace US belongs to region na, not eu');
  });

  it('status --json prints only JSON on stdout and messages on stderr', async () => {
    const env = fakeEnvironment({ now: new Date('2027-02-10T00:00:00Z') });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-03-01']), FAKE.refreshToken);
    const result = await env.run(['status', '--json']);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.profiles[0]).toMatchObject({ profile: 'shop-de', state: 'expiring', daysLeft: 19, expiresAt: '2027-03-01T00:00:00.000Z' });
  });

  it('status --quiet prints what needs doing and why, and nothing else: a cron mail says why', async () => {
    const env = fakeEnvironment({ now: new Date('2027-02-10T00:00:00Z') });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-03-01']), FAKE.refreshToken);
    await env.run(importArgs('shop-fr', ['--authorized-at', '2026-12-01']), FAKE.refreshToken);
    const loud = await env.run(['status']);
    const quiet = await env.run(['status', '-q']);
    expect(loud.stdout).toMatch(/^shop-de .* expiring$/m);
    expect(quiet.code).toBe(3);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('shop-de expires soon; run: amz-token renew --profile shop-de\n');
  });

  it('status --quiet prints nothing at all when nothing needs doing', async () => {
    const env = fakeEnvironment({ now: new Date('2026-11-27T00:00:00Z') });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-11-01']), FAKE.refreshToken);
    expect(await env.run(['status', '-q'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('status --json with no profiles prints the (empty) report, says why on stderr, and exits 5', async () => {
    const env = fakeEnvironment();
    await env.run(appArgs, FAKE.clientSecret);
    const result = await env.run(['status', '--json']);
    expect(result.code).toBe(5);
    expect(JSON.parse(result.stdout)).toMatchObject({ profiles: [], apps: [{ app: 'my-app' }] });
    expect(result.stderr).toContain(`no profiles configured in ${env.deps.configDir}/config.json\n`);
  });

  it('status with no config.json names the folder it looked in, so a typo in AMZ_TOKEN_CONFIG_DIR shows', async () => {
    const env = fakeEnvironment();
    const result = await env.runWith({ env: { AMZ_TOKEN_CONFIG_DIR: env.deps.configDir } }, ['status']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`no profiles configured in ${env.deps.configDir}/config.json (from AMZ_TOKEN_CONFIG_DIR), which does not exist`);
  });

  it.each(['--metrics-file', '--ics', '--html'])('status %s "" is refused by name (exit 2), not as "cannot write  (ENOENT)"', async (flag) => {
    const result = await fakeEnvironment().run(['status', flag, '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${flag} needs a file path, got an empty one`);
    expect(result.stderr).not.toContain('cannot write');
  });

  it('the status table fits a narrow terminal instead of wrapping; a pipe gets whole rows', async () => {
    const env = fakeEnvironment({ now: new Date('2026-11-27T00:00:00Z'), env: { NO_COLOR: '1' } });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('a-rather-long-profile-name-for-the-de-shop', ['--authorized-at', '2026-11-01']), FAKE.refreshToken);
    const wide = await env.run(['status']);
    expect(Math.max(...wide.stdout.trimEnd().split('\n').map((line) => line.length))).toBeGreaterThan(80);
    const terminal = await env.runWith({ stdoutIsTTY: true, stdoutColumns: 60 }, ['status']);
    const lines = terminal.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    // Too narrow for every column with the expiry whole: the narrow layout, the name cut instead.
    expect(lines[0]).toMatch(/^PROFILE +EXPIRES +STATE$/);
    expect(lines[1]).toMatch(/^a-rather-\S*…  2027-11-01 \d\d:\d\d \(in 339 days\)  ok$/);
  });

  it('a locked or missing keychain is exit 8 and leaves the config untouched', async () => {
    const env = fakeEnvironment({
      store: async () => {
        throw new StoreUnavailableError('the keychain is unavailable: cannot store a secret (unlock prompt was dismissed)');
      },
    });
    const result = await env.run(appArgs, FAKE.clientSecret);
    expect(result.code).toBe(8);
    const status = await env.run(['app', 'list', '--json']);
    expect(JSON.parse(status.stdout).apps).toEqual([]);
  });

  it('remove deletes the refresh token and the profile', async () => {
    const env = fakeEnvironment();
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-03-01']), FAKE.refreshToken);
    expect((await env.run(['app', 'remove', 'my-app'])).code).toBe(2);
    expect((await env.run(['remove', '--profile', 'shop-de', '--yes'])).code).toBe(0);
    expect(env.store.items.has('profile/shop-de/refresh-token')).toBe(false);
    expect((await env.run(['status'])).code).toBe(5);
  });
});

describe('an unknown AMZ_TOKEN_STORE', () => {
  it.each([[['status']], [['status', '--check']], [['token', '--profile', 'shop-de']]])('%j exits 2 and says so once', async (argv) => {
    const env = fakeEnvironment();
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-03-01']), FAKE.refreshToken);
    await env.run(importArgs('shop-fr', ['--authorized-at', '2026-03-01']), FAKE.refreshToken);
    const result = await env.runWith({ env: { AMZ_TOKEN_STORE: 'vault' } }, argv);
    expect(result.code).toBe(2);
    expect(result.stderr.match(/AMZ_TOKEN_STORE must be keychain, file or helper:<name>.*got "vault"/g)).toHaveLength(1);
    expect(result.stdout).toBe('');
  });
});

describe('days left: one rounding in every view', () => {
  it('a fresh grant and a fresh client secret read 365 and 180 days in the table, JSON, HTML and app list', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const env = fakeEnvironment({ now, env: { NO_COLOR: '1' } });
    // Created and authorized seconds before "now", as a request or app add just did.
    const justNow = new Date(now.getTime() - 2_500).toISOString();
    await env.run([...appArgs.slice(0, -1), justNow], FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', justNow]), FAKE.refreshToken);
    const json = JSON.parse((await env.run(['status', '--json'])).stdout);
    expect(json.profiles[0].daysLeft).toBe(365);
    expect(json.apps[0].daysLeft).toBe(180);
    expect((await env.run(['status'])).stdout).toContain('(in 365 days)');
    expect((await env.run(['status', '--html', '-'])).stdout).toContain('in 365 days');
    expect((await env.run(['app', 'list'])).stdout).toContain('(in 180 days)');
  });
});

describe('status --at advice', () => {
  it('relates each expiry to the day given, never "expires soon by <day>"', async () => {
    const env = fakeEnvironment({ now: new Date('2026-11-27T12:00:00Z'), env: { NO_COLOR: '1' } });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--expires-at', '2027-01-20']), FAKE.refreshToken);
    await env.run(importArgs('shop-fr', ['--expires-at', '2027-01-10']), FAKE.refreshToken);
    const result = await env.run(['status', '--at', '2027-01-14']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('shop-de expires 2027-01-20, within 30 days of 2027-01-14; run: amz-token renew --profile shop-de');
    expect(result.stderr).toContain('shop-fr expires 2027-01-10, before 2027-01-14; run: amz-token renew --profile shop-fr');
    expect(result.stderr).not.toMatch(/soon by|has expired by/);
  });
});

describe('status --state and the order of the table', () => {
  async function fleet() {
    const env = fakeEnvironment({ now: new Date('2026-11-27T12:00:00Z'), env: { NO_COLOR: '1' } });
    await env.run(appArgs, FAKE.clientSecret);
    // By name: a-ok, b-expired, c-ok, d-expiring, e-expired-earlier.
    for (const [name, expires] of [['a-ok', '2027-06-01'], ['b-expired', '2026-11-20'], ['c-ok', '2027-05-01'], ['d-expiring', '2026-12-10'], ['e-expired-earlier', '2026-11-01']]) {
      expect((await env.run(importArgs(name!, ['--expires-at', expires!]), FAKE.refreshToken)).code).toBe(0);
    }
    return env;
  }
  const names = (stdout: string) => stdout.trim().split('\n').slice(1).map((row) => row.split(/\s+/)[0]).filter((n) => n && n !== 'APP');

  it('the table lists the profiles that need action first, most urgent first, then the rest by name', async () => {
    const result = await (await fleet()).run(['status']);
    expect(result.code).toBe(4);
    expect(names(result.stdout)).toEqual(['e-expired-earlier', 'b-expired', 'd-expiring', 'a-ok', 'c-ok']);
  });

  it('--state expired,expiring shows only those, in every view; the exit code still covers all', async () => {
    const env = await fleet();
    const table = await env.run(['status', '--state', 'expired,expiring']);
    expect(names(table.stdout)).toEqual(['e-expired-earlier', 'b-expired', 'd-expiring']);
    const json = JSON.parse((await env.run(['status', '--json', '--state', 'ok'])).stdout);
    expect(json.profiles.map((p: { profile: string }) => p.profile)).toEqual(['a-ok', 'c-ok']);
    const ok = await env.run(['status', '--state', 'ok']);
    expect(ok.code).toBe(4);
    expect(ok.stderr).not.toContain('no profiles configured');
  });

  it('--state refuses an unknown state (exit 2), naming the ones there are', async () => {
    const result = await fakeEnvironment().run(['status', '--state', 'expired,soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state "soon" is not a state: use rejected, expired, expiring, unknown, ok');
  });
});

describe('status on a narrow terminal', () => {
  it.each([54, 48, 40, 30, 20])('at %i columns no row wraps, and each profile keeps its name, expiry and state', async (columns) => {
    const env = fakeEnvironment({ now: new Date('2026-11-27T00:00:00Z'), env: { NO_COLOR: '1' } });
    await env.run(appArgs, FAKE.clientSecret);
    await env.run(importArgs('shop-de', ['--authorized-at', '2026-11-01']), FAKE.refreshToken);
    await env.run(importArgs('shop-fr', ['--expires-at', '2026-12-10']), FAKE.refreshToken);
    const result = await env.runWith({ stdoutIsTTY: true, stdoutColumns: columns }, ['status']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((line) => line.length)), result.stdout).toBeLessThanOrEqual(columns);
    for (const [profile, state] of [['shop-de', 'ok'], ['shop-fr', 'expiring']]) {
      const at = lines.findIndex((line) => line.startsWith(profile!));
      expect(at, result.stdout).toBeGreaterThan(-1);
      expect(lines.slice(at, at + 3).join(' '), result.stdout).toContain(state);
    }
    expect(result.stdout).toMatch(/in 13 days/);
  });
});
