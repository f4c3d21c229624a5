// End to end: the built binary, a real gnome-keyring, real files.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, secretToolLookup, requireTestKeyring, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day, isoPlusDays } from '../support/dates.js';

beforeAll(() => requireTestKeyring());

async function addApp(s: Sandbox, name: string, extra: string[] = []) {
  return s.run(
    ['app', 'add', name, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', ...extra],
    { input: `${FAKE.clientSecret}\n` },
  );
}

async function importProfile(s: Sandbox, profile: string, app: string, dateFlag: string[], token = FAKE.refreshToken) {
  return s.run(
    ['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', ...dateFlag],
    { input: `  ${token}\r\n` },
  );
}

function expectNoSecrets(s: Sandbox, ...outputs: string[]) {
  for (const text of [...outputs, s.configText()]) {
    expect(text).not.toContain(FAKE.clientSecret);
    expect(text).not.toContain(FAKE.refreshToken);
  }
}

describe('app add, import, status and remove against a real keychain', () => {
  it('stores the client secret and refresh token in the Secret Service and nowhere else', async () => {
    const s = sandbox();
    const app = `${s.prefix}-app`;
    const added = await addApp(s, app, ['--secret-created', day(-60)]);
    expect(added.exitCode, String(added.stderr)).toBe(0);
    expect(await secretToolLookup(`app/${app}/client-secret`)).toBe(FAKE.clientSecret);

    const authorized = day(-270);
    const imported = await importProfile(s, `${s.prefix}-de`, app, ['--authorized-at', authorized]);
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    expect(await secretToolLookup(`profile/${s.prefix}-de/refresh-token`)).toBe(FAKE.refreshToken);

    const config = JSON.parse(readFileSync(join(s.configDir, 'config.json'), 'utf8'));
    expect(config.profiles[`${s.prefix}-de`]).toMatchObject({ app, region: 'eu', marketplace: 'DE', role: 'seller', expiresAt: isoPlusDays(`${authorized}T00:00:00Z`, 365) });
    expect(statSync(join(s.configDir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(s.configDir).mode & 0o777).toBe(0o700);
    expectNoSecrets(s, String(added.stdout), String(added.stderr), String(imported.stdout), String(imported.stderr));

    const removed = await s.run(['remove', '--profile', `${s.prefix}-de`, '--yes']);
    expect(removed.exitCode).toBe(0);
    expect(await secretToolLookup(`profile/${s.prefix}-de/refresh-token`)).toBeNull();
    const appRemoved = await s.run(['app', 'remove', app]);
    expect(appRemoved.exitCode).toBe(0);
    expect(await secretToolLookup(`app/${app}/client-secret`)).toBeNull();
  });

  it('import --force puts the new token in the keychain and keeps the contact and last reminder of the profile', async () => {
    const s = sandbox();
    const app = `${s.prefix}-app`;
    const profile = `${s.prefix}-de`;
    expect((await addApp(s, app)).exitCode).toBe(0);
    expect((await importProfile(s, profile, app, ['--authorized-at', day(-340)])).exitCode).toBe(0);
    expect((await s.run(['profile', 'set', profile, '--email', 'ops@shop.example', '--language', 'de'])).exitCode).toBe(0);
    // As `remind --send` records a mail (test/e2e/remind.test.ts sends real ones).
    const file = join(s.configDir, 'config.json');
    const before = JSON.parse(readFileSync(file, 'utf8'));
    const reminded = { sentAt: isoPlusDays(new Date(), -2), to: 'ops@shop.example', invitation: 'AAAAAAAAAAAAAAAA', expiresAt: before.profiles[profile].expiresAt };
    before.profiles[profile].reminded = reminded;
    writeFileSync(file, JSON.stringify(before), { mode: 0o600 });

    const newToken = `${FAKE.refreshToken}-renewed`;
    const refused = await importProfile(s, profile, app, ['--authorized-at', day(-1)], newToken);
    expect(refused.exitCode).toBe(2);
    const forced = await s.run(
      ['import', '--profile', profile, '--app', app, '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', day(-1), '--force'],
      { input: `${newToken}\n` },
    );
    expect(forced.exitCode, String(forced.stderr)).toBe(0);
    expect(String(forced.stderr)).not.toMatch(/warning/);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(newToken);
    const after = JSON.parse(readFileSync(file, 'utf8')).profiles[profile];
    expect(after).toMatchObject({ contact: { email: 'ops@shop.example', language: 'de' }, reminded, expiresAt: isoPlusDays(`${day(-1)}T00:00:00Z`, 365) });
    const shown = String((await s.run(['profile', 'show', profile])).stdout);
    expect(shown).toMatch(/ops@shop\.example \(de\)/);
    expectNoSecrets(s, String(forced.stdout), String(forced.stderr));
    expect(s.configText()).not.toContain(newToken);
    await s.run(['remove', '--profile', profile, '--yes']);
    await s.run(['app', 'remove', app]);
  });

  it('status exits 0, 3 or 4 by date, as a table and as JSON, without touching the keychain', async () => {
    const s = sandbox();
    const app = `${s.prefix}-app`;
    // fresh lapses in 45 days, soon in 11 to 12: inside the default 30-day window, outside --warn-days 7.
    const secretCreated = day(-30);
    const soon = day(12);
    expect((await addApp(s, app, ['--secret-created', secretCreated])).exitCode).toBe(0);
    expect((await importProfile(s, 'fresh', app, ['--authorized-at', day(-320)])).exitCode).toBe(0);
    expect((await importProfile(s, 'soon', app, ['--expires-at', `${soon}T00:00:00Z`])).exitCode).toBe(0);

    // No D-Bus at all: status must still answer, because it never opens the keychain.
    const offline = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const table = await s.run(['status'], { env: offline });
    expect(table.exitCode).toBe(3);
    expect(String(table.stdout)).toMatch(/^PROFILE\s+SELLER\s+REGION\s+EXPIRES\s+STATE/);
    expect(String(table.stdout)).toMatch(new RegExp(`soon\\s+A3EXAMPLE12345 \\(DE\\)\\s+eu\\s+${soon} 00:00 \\(in 1[12] days\\)\\s+expiring`));
    expect(String(table.stderr)).toContain('run: amz-token renew --profile soon');

    const json = await s.run(['status', '--json'], { env: offline });
    expect(json.exitCode).toBe(3);
    const report = JSON.parse(String(json.stdout));
    expect(report.profiles.map((p: { profile: string; state: string }) => [p.profile, p.state])).toEqual([
      ['fresh', 'ok'],
      ['soon', 'expiring'],
    ]);
    expect(report.profiles[1]).toMatchObject({ app, region: 'eu', marketplace: 'DE', sellingPartnerId: 'A3EXAMPLE12345', expiresAt: `${soon}T00:00:00.000Z` });
    expect(typeof report.profiles[1].daysLeft).toBe('number');
    expect(report.apps[0]).toMatchObject({ app, clientSecretExpiresAt: isoPlusDays(`${secretCreated}T00:00:00Z`, 180), state: 'ok' });

    // A cron job that inherits AMZ_TOKEN_PROFILE still watches every profile: only --profile narrows status (issue 12).
    const inherited = await s.run(['status', '--json'], { env: { ...offline, AMZ_TOKEN_PROFILE: 'fresh' } });
    expect(inherited.exitCode).toBe(3);
    expect(JSON.parse(String(inherited.stdout)).profiles).toHaveLength(2);
    const one = await s.run(['status', '--json', '--profile', 'fresh'], { env: offline });
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(String(one.stdout)).profiles).toHaveLength(1);

    const later = await s.run(['status', '--profile', 'fresh', '--at', day(60)], { env: offline });
    expect(later.exitCode).toBe(4);
    expect(String(later.stdout)).toContain('expired');

    const narrow = await s.run(['status', '--profile', 'soon', '--warn-days', '7'], { env: offline });
    expect(narrow.exitCode).toBe(0);

    const missing = await s.run(['status', '--profile', 'nope'], { env: offline });
    expect(missing.exitCode).toBe(5);
    expect(String(missing.stderr)).toContain('no profile named "nope"');
  });

  it('status exits 9 when an app client secret is past its 180 days', async () => {
    const s = sandbox();
    const app = `${s.prefix}-app`;
    expect((await addApp(s, app, ['--secret-created', day(-200)])).exitCode).toBe(0);
    expect((await importProfile(s, 'shop', app, ['--authorized-at', day(-100)])).exitCode).toBe(0);
    const result = await s.run(['status']);
    expect(result.exitCode).toBe(9);
    expect(String(result.stderr)).toContain(`amz-token app set-secret ${app}`);
  });

  it('AMZ_TOKEN_STORE=file keeps secrets in a 0600 file outside the config folder; store show warns, a plain run does not', async () => {
    const s = sandbox();
    const secretsFile = join(s.configDir, '..', 'data', 'secrets.json');
    const env = { AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: secretsFile, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const added = await s.run(['app', 'add', 'fileapp', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], {
      input: FAKE.clientSecret,
      env,
    });
    expect(added.exitCode, String(added.stderr)).toBe(0);
    expect(String(added.stderr)).not.toMatch(/warning/);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secretsFile, 'utf8'))['app/fileapp/client-secret']).toBe(FAKE.clientSecret);
    expect(readFileSync(join(s.configDir, 'config.json'), 'utf8')).not.toContain(FAKE.clientSecret);
    expect(await secretToolLookup('app/fileapp/client-secret')).toBeNull();
    const shown = await s.run(['store', 'show'], { env });
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    expect(String(shown.stderr)).toBe(`warning: the file store keeps secrets in ${secretsFile} in plain text, protected only by file permissions (600): anyone who can read your files (root, a backup) can read them`);
  });
});

describe('bad input gets one clear line, the documented exit code, and changes nothing', () => {
  it.each([
    [['status', '--bogus'], /unknown option '--bogus'/],
    [['status', '--warn-days', '-1'], /--warn-days must be a whole number/],
    [['status', '--at', 'next tuesday'], /--at "next tuesday" is not a date/],
    [['app', 'add', 'x', '--app-id', 'amzn1.sp.solution.nope', '--client-id', FAKE.clientId, '--redirect-uri', 'https://e/cb'], /is not an SP-API application id/],
    [['app', 'add', 'x', '--app-id', FAKE.appId, '--client-id', 'client', '--redirect-uri', 'https://e/cb'], /is not an LWA client id/],
    [['app', 'add', 'x', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'http://example.com/cb'], /must be https/],
    [['import', '--profile', 'p', '--app', 'a', '--region', 'mars', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE1', '--authorized-at', day(-300)], /--region "mars" is not a region/],
    [['import', '--profile', 'p', '--app', 'a', '--region', 'eu', '--marketplace', 'XX', '--selling-partner-id', 'A3EXAMPLE1', '--authorized-at', day(-300)], /--marketplace "XX" is not a known marketplace/],
    [['import', '--profile', 'p', '--app', 'a', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE1', '--authorized-at', '2026-02-30'], /--authorized-at "2026-02-30" is not a date/],
    [['app', 'add', 'x', '--client-secret', 'amzn1.oa2-cs.v1.abc'], /--client-secret is not accepted: secrets on the command line/],
    [['import', '--profile', 'p', `Atzr|leaked`], /refusing a secret/],
  ])('%j exits 2', async (args, message) => {
    const s = sandbox();
    const result = await s.run(args as string[]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(message);
    expect(String(result.stderr)).not.toContain('amzn1.oa2-cs.v1.abc');
    expect(String(result.stderr)).not.toContain('Atzr|leaked');
    expect(String(result.stdout)).toBe('');
  });

  it('a broken config file exits 2, names the file, and is left byte for byte', async () => {
    const s = sandbox();
    await addApp(s, `${s.prefix}-app`);
    const file = join(s.configDir, 'config.json');
    const broken = readFileSync(file, 'utf8').slice(0, 40);
    writeFileSync(file, broken);
    for (const args of [['status'], ['app', 'list'], ['remove', '--profile', 'x']]) {
      const result = await s.run(args);
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain(`${file}: is not valid JSON`);
    }
    const add = await addApp(s, `${s.prefix}-other`);
    expect(add.exitCode).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(await secretToolLookup(`app/${s.prefix}-other/client-secret`)).toBeNull();
  });

  it('no Secret Service exits 8, says how to fix it, and writes nothing', async () => {
    const s = sandbox();
    const result = await addApp(s, `${s.prefix}-app`).then(() =>
      s.run(['app', 'add', `${s.prefix}-second`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], {
        input: FAKE.clientSecret,
        env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      }),
    );
    expect(result.exitCode).toBe(8);
    expect(String(result.stderr)).toMatch(/keychain is unavailable/);
    expect(String(result.stderr)).toMatch(/AMZ_TOKEN_STORE=file/);
    const config = JSON.parse(readFileSync(join(s.configDir, 'config.json'), 'utf8'));
    expect(Object.keys(config.apps)).toEqual([`${s.prefix}-app`]);
  });

  it('an unknown AMZ_TOKEN_STORE exits 2 and stores nothing', async () => {
    const s = sandbox();
    const result = await s.run(['app', 'add', `${s.prefix}-app`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], {
      input: FAKE.clientSecret,
      env: { AMZ_TOKEN_STORE: 'vault' },
    });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('AMZ_TOKEN_STORE must be keychain, file or helper:<name> (runs docker-credential-<name>), got "vault"');
    expect(await secretToolLookup(`app/${s.prefix}-app/client-secret`)).toBeNull();
  });

  it('an empty stdin for a secret exits 2 and stores nothing', async () => {
    const s = sandbox();
    const result = await s.run(['app', 'add', `${s.prefix}-app`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], { input: ' \n' });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('no client secret on stdin');
    expect(await secretToolLookup(`app/${s.prefix}-app/client-secret`)).toBeNull();
  });

  it('an unknown app or profile exits 5', async () => {
    const s = sandbox();
    expect((await s.run(['app', 'remove', 'ghost'])).exitCode).toBe(5);
    expect((await s.run(['remove', '--profile', 'ghost'])).exitCode).toBe(5);
  });
});
