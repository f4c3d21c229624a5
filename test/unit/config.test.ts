import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, symlinkSync, mkdirSync, statSync, chmodSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tryFileLock } from '../../src/config/atomic-file.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfig, updateConfig, configFile } from '../../src/config/config.js';
import { ConfigError, StoreUnavailableError } from '../../src/errors.js';

const FILE = '/cfg/config.json';
const app = {
  appId: 'amzn1.sp.solution.12345678-1234-1234-1234-123456789abc',
  clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef',
  redirectUri: 'https://e.example/cb',
  draft: false,
  clientSecretCreatedAt: '2026-01-01T00:00:00.000Z',
};
const profile = { app: 'a', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE12345', expiresAt: '2027-01-01T00:00:00.000Z' };

function problem(text: string): string {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('accepts a valid config', () => {
    const config = parseConfig(JSON.stringify({ version: 1, apps: { a: app }, profiles: { p: profile } }), FILE);
    expect(config.profiles.p?.region).toBe('eu');
    expect(config.store).toBeUndefined();
  });

  it.each(['keychain', 'file', 'helper:pass', 'helper:ecr-login'])('accepts "store": "%s", the setting a team commits', (store) => {
    expect(parseConfig(JSON.stringify({ version: 1, store }), FILE).store).toBe(store);
  });

  it.each([
    ['truncated JSON', '{"version": 1, "apps": {', /is not valid JSON/],
    ['an array', '[]', /must hold a JSON object/],
    ['no version', '{}', /no valid "version"/],
    ['a newer version', '{"version": 2}', /version 2, newer than this amz-token/],
    ['apps as a list', '{"version":1,"apps":[]}', /"apps" must be an object/],
    ['a wrong region', JSON.stringify({ version: 1, profiles: { p: { ...profile, region: 'moon' } } }), /profiles\.p\.region must be na, eu or fe/],
    ['a region the marketplace is not in', JSON.stringify({ version: 1, apps: { a: app }, profiles: { p: { ...profile, region: 'na' } } }), /marketplace DE belongs to region eu, not na \(profiles\.p\.region\)/],
    ['a wrong role', JSON.stringify({ version: 1, profiles: { p: { ...profile, role: 'buyer' } } }), /profiles\.p\.role/],
    ['a number for a date', JSON.stringify({ version: 1, profiles: { p: { ...profile, expiresAt: 5 } } }), /profiles\.p\.expiresAt must be a non-empty string/],
    ['a non-date', JSON.stringify({ version: 1, profiles: { p: { ...profile, expiresAt: 'soon' } } }), /expiresAt must be an ISO 8601/],
    ['draft as a string', JSON.stringify({ version: 1, apps: { a: { ...app, draft: 'yes' } } }), /apps\.a\.draft must be true or false/],
    ['an unknown store', '{"version":1,"store":"vault"}', /"store" must be keychain, file or helper:<name> \(runs docker-credential-<name>\), got "vault"/],
    ['a helper name that is a path', '{"version":1,"store":"helper:../../tmp/x"}', /"store" must be keychain, file or helper:<name>/],
    ['a store that is not a string', '{"version":1,"store":{"helper":"pass"}}', /"store" must be keychain/],
  ])('rejects %s, naming the file and the problem', (_what, text, pattern) => {
    const message = problem(text);
    expect(message).toContain(FILE);
    expect(message).toMatch(pattern);
  });
});

describe('config file', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'amz-token-config-'));

  it('writes 0600 in a 0700 folder and leaves no temporary or lock file', async () => {
    const d = join(dir(), 'nested');
    await updateConfig(d, (c) => void (c.apps.a = app));
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(d)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile(d), 'utf8')).apps.a.appId).toBe(app.appId);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(d)).toEqual(['config.json']);
  });

  it('keeps "store" through later writes, right after "version"', async () => {
    const d = dir();
    await updateConfig(d, (c) => void (c.apps.a = app));
    await updateConfig(d, (c) => void (c.store = 'helper:pass'));
    await updateConfig(d, (c) => void (c.profiles.p = profile as never));
    const text = readFileSync(configFile(d), 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'store', 'apps', 'profiles']);
    expect((await loadConfig(d)).store).toBe('helper:pass');
  });

  it('never overwrites a broken file', async () => {
    const d = dir();
    writeFileSync(configFile(d), '{"version": 1, "apps": {', { mode: 0o600 });
    await expect(updateConfig(d, (c) => void (c.apps.a = app))).rejects.toThrow(/is not valid JSON/);
    expect(readFileSync(configFile(d), 'utf8')).toBe('{"version": 1, "apps": {');
  });

  it('refuses a symbolic link and a directory in place of the file', async () => {
    const d = dir();
    writeFileSync(join(d, 'elsewhere.json'), '{"version":1}');
    symlinkSync(join(d, 'elsewhere.json'), configFile(d));
    await expect(loadConfig(d)).rejects.toThrow(/symbolic link/);
    const d2 = dir();
    mkdirSync(configFile(d2));
    await expect(loadConfig(d2)).rejects.toThrow(/is a directory/);
  });

  it('tightens a config file that others can read, with a warning', async () => {
    const d = dir();
    writeFileSync(configFile(d), '{"version":1}');
    chmodSync(configFile(d), 0o644);
    const warnings: string[] = [];
    await loadConfig(d, (w) => warnings.push(w));
    expect(warnings.join()).toMatch(/readable by others/);
    expect(statSync(configFile(d)).mode & 0o777).toBe(0o600);
  });

  it('keeps every change when many updates run at once', async () => {
    const d = dir();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        updateConfig(d, async (c) => {
          c.apps.a = app;
          c.profiles[`p${i}`] = profile as never;
        }),
      ),
    );
    const config = await loadConfig(d);
    expect(Object.keys(config.profiles)).toHaveLength(25);
  });

  it('a config lock held by a live process is exit 8 naming the lock file, not an internal error', async () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    // Our own pid and start time: the lock's holder is alive, so the write must give up.
    writeFileSync(`${configFile(d)}.lock`, JSON.stringify({ pid: process.pid, started: startOf(process.pid) }));
    const error = await updateConfig(d, () => {}, { lockWaitMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).exitCode).toBe(8);
    expect((error as Error).message).toContain(`${configFile(d)}.lock`);
  });

  it('takes over a config lock whose pid is alive but started after the lock was taken (a reused pid, a container\'s pid 1)', async () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    writeFileSync(`${configFile(d)}.lock`, JSON.stringify({ pid: process.pid, started: 'some other time' }));
    await updateConfig(d, (c) => void (c.apps.a = app), { lockWaitMs: 50 });
    expect(Object.keys((await loadConfig(d)).apps)).toEqual(['a']);
    expect(existsSync(`${configFile(d)}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    const gone = spawnSync('true').pid!;
    writeFileSync(`${configFile(d)}.lock`, JSON.stringify({ pid: gone, started: '1' }));
    await updateConfig(d, (c) => void (c.apps.a = app), { lockWaitMs: 50 });
    expect(Object.keys((await loadConfig(d)).apps)).toEqual(['a']);
  });

  it('a flow lock held by a live amz-token names its pid and its file; one whose pid belongs to another process is taken over', async () => {
    const d = dir();
    const held = await tryFileLock(join(d, 'flow-shop'));
    expect('release' in held).toBe(true);
    const second = await tryFileLock(join(d, 'flow-shop'));
    expect(second).toEqual({ heldBy: process.pid, lockFile: join(d, 'flow-shop.lock') });
    writeFileSync(join(d, 'flow-shop.lock'), JSON.stringify({ pid: process.pid, started: 'before a reboot' }));
    expect('release' in (await tryFileLock(join(d, 'flow-shop')))).toBe(true);
  });
});

/** /proc/<pid>/stat's start time, as the lock code records it. */
function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}
