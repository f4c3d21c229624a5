// A locked keyring with nobody to unlock it (issue 18, item 1): every command
// ends with exit 8 at once, naming the fix, and the keyring still answers its
// other clients afterwards. A Secret Service of this file's own, which it locks,
// with gcr-prompter activatable as on a desktop: concurrent unlock prompts there
// are what wedged gnome-keyring.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { resolve } from 'node:path';
import { requireTestKeyring, sandbox, type Sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/secret-service.sh');
const PROFILES = ['p1', 'p2', 'p3', 'p4'];
let ss: Record<string, string>;
let s: Sandbox;

beforeAll(async () => {
  requireTestKeyring();
  // The script's exports are shell-quoted: let bash read them.
  const started = await execa('bash', ['-c', `set -e; exports=$(bash ${JSON.stringify(SCRIPT)} start); eval "$exports"; env -0`], { env: { AMZ_TOKEN_TEST_SS_PROMPTER: '1' } });
  const wanted = ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'AMZ_TOKEN_TEST_SS_DIR'];
  ss = Object.fromEntries(started.stdout.split('\0').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]).filter(([name]) => wanted.includes(name!)));
  expect(ss.AMZ_TOKEN_TEST_SS_DIR).toBeTruthy();
  s = sandbox();
  Object.assign(s.env, { DBUS_SESSION_BUS_ADDRESS: ss.DBUS_SESSION_BUS_ADDRESS!, XDG_RUNTIME_DIR: ss.XDG_RUNTIME_DIR!, XDG_DATA_HOME: ss.XDG_DATA_HOME! });
  const expiresAt = new Date(Date.now() + 300 * 86_400_000).toISOString();
  writeConfig(s.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: new Date().toISOString() } },
    profiles: Object.fromEntries(PROFILES.map((p) => [p, { expiresAt, authorizedAt: new Date().toISOString() }])),
  });
  for (const account of [...PROFILES.map((p) => `profile/${p}/refresh-token`), 'app/my-app/client-secret']) {
    await execa('secret-tool', ['store', '--label', account, 'service', 'amz-token', 'username', account], { env: ss, input: `Atzr|fake-${account}` });
  }
  await execa('dbus-send', ['--session', '--dest=org.freedesktop.secrets', '--print-reply', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/aliases/default'], { env: ss });
}, 60_000);

afterAll(async () => {
  if (ss?.AMZ_TOKEN_TEST_SS_DIR) await execa('bash', [SCRIPT, 'stop', ss.AMZ_TOKEN_TEST_SS_DIR]);
});

/** secret-tool, another client of the same keyring, still gets an answer (the item is locked: no secret). */
async function keyringAnswers(): Promise<void> {
  const lookup = await execa('secret-tool', ['lookup', 'service', 'amz-token', 'username', 'profile/p1/refresh-token'], { env: ss, reject: false, timeout: 15_000 });
  expect(lookup.timedOut).toBe(false);
  expect(lookup.stdout).toBe('');
}

const headless = { DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

describe('a locked keyring with nobody to unlock it', () => {
  it('status --check --deadline ends with exit 8 naming the fix, and the keyring still answers', async () => {
    // GetAll, never Get: a Get as a connection's first call can abort gnome-keyring 42 (scripts/secret-service.sh, KNOWN_RACE).
    const locked = await execa('dbus-send', ['--session', '--dest=org.freedesktop.secrets', '--print-reply', '/org/freedesktop/secrets/aliases/default', 'org.freedesktop.DBus.Properties.GetAll', 'string:org.freedesktop.Secret.Collection'], { env: ss });
    expect(locked.stdout).toMatch(/string "Locked"\s*\n\s*variant\s+boolean true\n/);
    const status = await s.run(['status', '--check', '--deadline', '5'], { env: headless, timeout: 30_000 });
    expect(status.timedOut).toBe(false);
    expect(status.exitCode).toBe(8);
    expect(String(status.stderr)).toMatch(/keychain .*is locked, and there is no display/);
    expect(String(status.stderr)).toContain('secret-tool search --unlock');
    expect(String(status.stderr)).toContain('AMZ_TOKEN_STORE=file');
    await keyringAnswers();
  });

  it('four parallel token --no-input each end with exit 8, and the keyring still answers', async () => {
    const runs = await Promise.all(PROFILES.map((p) => s.run(['token', '--no-input', '--profile', p], { env: { ...headless, DISPLAY: ':0' }, timeout: 30_000 })));
    for (const run of runs) {
      expect(run.timedOut).toBe(false);
      expect(run.exitCode, String(run.stderr)).toBe(8);
      expect(String(run.stderr)).toContain('is locked, and --no-input forbids an unlock prompt');
    }
    await keyringAnswers();
  });

  it('the lock check reads the collection with GetAll, never Properties.Get, which gnome-keyring 42 can abort on as the first call of a connection', async () => {
    const monitor = execa('dbus-monitor', ['--session', "type='method_call',interface='org.freedesktop.DBus.Properties'"], { env: ss, reject: false });
    let seen = '';
    monitor.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    // Bounded by a count, not a clock reading: it waits for the monitor to be listening.
    for (let i = 0; i < 200 && !seen.includes('member=NameLost'); i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(seen).toContain('member=NameLost');
    const token = await s.run(['token', '--no-input', '--profile', 'p1'], { env: headless, timeout: 30_000 });
    expect(token.exitCode).toBe(8);
    monitor.kill('SIGTERM');
    await monitor;
    const calls = seen.split('\n').filter((line) => line.startsWith('method call') && line.includes('destination=org.freedesktop.secrets'));
    expect(calls.some((line) => line.includes('path=/org/freedesktop/secrets/aliases/default;') && line.endsWith('member=GetAll'))).toBe(true);
    expect(calls.filter((line) => line.endsWith('member=Get'))).toEqual([]);
  });

  it('with a display to prompt on, the four checks ask one at a time: each prompt is dismissed, none wedges the keyring', async () => {
    // gcr-prompter, started by the bus without a display, dismisses each prompt; two at once never end.
    const status = await s.run(['status', '--check', '--deadline', '20'], { env: { ...headless, DISPLAY: ':99' }, timeout: 30_000 });
    expect(status.timedOut).toBe(false);
    expect(status.exitCode).toBe(8);
    expect(String(status.stderr)).toContain('unlock prompt was dismissed');
    await keyringAnswers();
  });
});
