// Owns the check that the test harness (scripts/test.sh + scripts/secret-service.sh) gives the
// tests a reachable, UNLOCKED, private Secret Service that @napi-rs/keyring and secret-tool share.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Entry } from '@napi-rs/keyring';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const SERVICE = 'amz-token';
// Pinned: unpinned, @napi-rs/keyring silently falls back to the kernel keyring.
const PIN = { linux: { store: 'secret-service' as const } };

// Fails rather than skips: a run without the harness must not look green.
function requireHarness(): { dir: string } {
  if (process.env['AMZ_TOKEN_TEST_KEYRING'] !== '1') {
    throw new Error(
      'These tests need the private Secret Service that scripts/test.sh starts: run `npm test` ' +
        '(or `bash scripts/test.sh test/unit/secret-service-harness.test.ts`), not vitest directly.',
    );
  }
  const dir = process.env['AMZ_TOKEN_TEST_SS_DIR'];
  if (!dir) throw new Error('AMZ_TOKEN_TEST_KEYRING=1 but AMZ_TOKEN_TEST_SS_DIR is unset: run `npm test`.');
  return { dir };
}

async function busCall(method: string, arg: string): Promise<string> {
  const { stdout } = await execa('dbus-send', [
    '--session',
    '--dest=org.freedesktop.DBus',
    '--type=method_call',
    '--print-reply=literal',
    '/org/freedesktop/DBus',
    `org.freedesktop.DBus.${method}`,
    `string:${arg}`,
  ]);
  return stdout.trim();
}

function secretToolLookup(account: string) {
  // Exit code 1 with no output means "no such item"; anything else is a real failure.
  return execa('secret-tool', ['lookup', 'service', SERVICE, 'username', account], { reject: false });
}

// Throwaway accounts, unique per run, removed after each test even when it fails.
const accounts: string[] = [];
function throwawayAccount(): string {
  const account = `harness-probe-${randomUUID()}`;
  accounts.push(account);
  return account;
}
afterEach(() => {
  if (process.env['AMZ_TOKEN_TEST_KEYRING'] !== '1') return;
  for (const account of accounts.splice(0)) new Entry(SERVICE, account, PIN).deletePassword();
});

describe('secret service harness', () => {
  it('uses the private bus, owned by the unlocked keyring daemon that scripts/secret-service.sh started', async () => {
    const { dir } = requireHarness();
    expect(process.env['DBUS_SESSION_BUS_ADDRESS']).toContain(`unix:path=${dir}/`);
    expect(await busCall('NameHasOwner', 'org.freedesktop.secrets')).toBe('boolean true');
    // The PID the script recorded (at start, or when its watcher restarted the daemon): no second
    // (locked) daemon was auto-started in its place.
    expect(await busCall('GetConnectionUnixProcessID', 'org.freedesktop.secrets')).toBe(`uint32 ${readFileSync(`${dir}/keyring.pid`, 'utf8').trim()}`);
    // GetAll, never Get: a Get as a connection's first call can abort gnome-keyring 42 (scripts/secret-service.sh, KNOWN_RACE).
    const { stdout } = await execa('dbus-send', [
      '--session',
      '--dest=org.freedesktop.secrets',
      '--print-reply',
      '/org/freedesktop/secrets/aliases/default',
      'org.freedesktop.DBus.Properties.GetAll',
      'string:org.freedesktop.Secret.Collection',
    ]);
    expect(stdout).toMatch(/string "Locked"\s*\n\s*variant\s+boolean false\n/);
  });

  it('writes, reads and deletes with @napi-rs/keyring pinned to secret-service, as secret-tool sees it', async () => {
    requireHarness();
    const account = throwawayAccount();
    const secret = `s3cret-${randomUUID()}`;
    const entry = new Entry(SERVICE, account, PIN);

    expect(entry.getPassword()).toBeNull();
    entry.setPassword(secret);
    expect(entry.getPassword()).toBe(secret);

    const found = await secretToolLookup(account);
    expect(found.exitCode).toBe(0);
    expect(found.stdout).toBe(secret);

    expect(entry.deletePassword()).toBe(true);
    expect(entry.getPassword()).toBeNull();
    const gone = await secretToolLookup(account);
    expect(gone.exitCode).toBe(1);
    expect(gone.stdout).toBe('');
    expect(entry.deletePassword()).toBe(false);
  });

  it('reads with @napi-rs/keyring what secret-tool stored', async () => {
    requireHarness();
    const account = throwawayAccount();
    const secret = `from-secret-tool-${randomUUID()}`;
    // No trailing newline: secret-tool stores piped input verbatim, newline included.
    await execa('secret-tool', ['store', '--label', 'amz-token harness probe', 'service', SERVICE, 'username', account], {
      input: secret,
    });
    expect(new Entry(SERVICE, account, PIN).getPassword()).toBe(secret);
  });
});

// A session of its own, whose daemon these tests kill. gnome-keyring 42's first-call race cannot be
// produced on demand (scripts/keyring-race-stress.sh provokes it in bulk); its log line and its exit
// (the GLib-ERROR after the assertion raises SIGTRAP: status 133) can.
describe('a keyring daemon that dies mid-run', () => {
  const SCRIPT = resolve(import.meta.dirname, '../../scripts/secret-service.sh');
  let own: Record<string, string>;
  const script = (...args: string[]) => execa('bash', [SCRIPT, ...args], { env: own, reject: false });
  const daemonPid = () => Number(readFileSync(`${own.AMZ_TOKEN_TEST_SS_DIR}/keyring.pid`, 'utf8'));
  const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

  beforeAll(async () => {
    requireHarness();
    const started = await execa('bash', ['-c', `set -e; exports=$(bash ${JSON.stringify(SCRIPT)} start); eval "$exports"; env -0`]);
    const wanted = ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'AMZ_TOKEN_TEST_SS_DIR'];
    own = Object.fromEntries(started.stdout.split('\0').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]).filter(([name]) => wanted.includes(name!)));
    expect(own.AMZ_TOKEN_TEST_SS_DIR).toBeTruthy();
  }, 60_000);
  afterAll(async () => {
    if (own?.AMZ_TOKEN_TEST_SS_DIR) await script('stop', own.AMZ_TOKEN_TEST_SS_DIR);
  });

  it("one that died of gnome-keyring 42's first-call race is restarted, keeping what it stored; check passes and prints the death with its log", async () => {
    const account = `harness-restart-${randomUUID()}`;
    await execa('secret-tool', ['store', '--label', 'amz-token harness probe', 'service', SERVICE, 'username', account], { env: own, input: 'kept' });
    const first = daemonPid();
    appendFileSync(`${own.AMZ_TOKEN_TEST_SS_DIR}/gnome-keyring.log`, `** (gnome-keyring-daemon:${first}): CRITICAL **: gkd_secret_service_get_pkcs11_session: assertion 'client' failed\n`);
    process.kill(first, 'SIGTRAP');
    // Bounded by a count: until a new daemon, recorded by the watcher, owns the name again.
    let owner = '';
    for (let i = 0; i < 400 && (daemonPid() === first || owner !== `uint32 ${daemonPid()}`); i++) {
      await pause(50);
      owner = (await execa('dbus-send', ['--session', '--dest=org.freedesktop.DBus', '--print-reply=literal', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'], { env: own, reject: false })).stdout.trim();
    }
    expect(daemonPid()).not.toBe(first);
    expect(owner).toBe(`uint32 ${daemonPid()}`);
    const lookup = await execa('secret-tool', ['lookup', 'service', SERVICE, 'username', account], { env: own, reject: false });
    expect(lookup.stdout).toBe('kept');
    const check = await script('check', own.AMZ_TOKEN_TEST_SS_DIR!);
    expect(check.exitCode).toBe(0);
    expect(check.stderr).toContain('WARNING: the keyring daemon died during the run with status 133');
    expect(check.stderr).toContain(`(gnome-keyring-daemon:${first}): CRITICAL **: gkd_secret_service_get_pkcs11_session: assertion 'client' failed`);
  });

  it('any other death still fails check, with its status and log', async () => {
    process.kill(daemonPid(), 'SIGABRT');
    for (let i = 0; i < 400 && !existsSync(`${own.AMZ_TOKEN_TEST_SS_DIR}/keyring.exit`); i++) await pause(50);
    const check = await script('check', own.AMZ_TOKEN_TEST_SS_DIR!);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('the keyring daemon exited during the run with status 134');
  });
});
