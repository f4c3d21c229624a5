// Owns the check that the test harness (scripts/test.sh + scripts/secret-service.sh) gives the
// tests a reachable, UNLOCKED, private Secret Service that @napi-rs/keyring and secret-tool share.
import { randomUUID } from 'node:crypto';
import { Entry } from '@napi-rs/keyring';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';

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
    // Same PID as recorded at start: no second (locked) daemon was auto-started in its place.
    expect(await busCall('GetConnectionUnixProcessID', 'org.freedesktop.secrets')).toBe(
      `uint32 ${process.env['AMZ_TOKEN_TEST_SS_KEYRING_PID']}`,
    );
    const { stdout } = await execa('dbus-send', [
      '--session',
      '--dest=org.freedesktop.secrets',
      '--print-reply=literal',
      '/org/freedesktop/secrets/aliases/default',
      'org.freedesktop.DBus.Properties.Get',
      'string:org.freedesktop.Secret.Collection',
      'string:Locked',
    ]);
    expect(stdout.trim()).toMatch(/^variant\s+boolean false$/);
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
