// Hardening matrix: faults. Signals at each step of request and renew, the
// keychain disappearing mid-command, a full or read-only disk, and commands
// racing each other. Afterwards the profile and keychain are as they were
// (or, for races, the config is valid JSON with every profile present).
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { execa } from 'execa';
import { readFileSync, mkdtempSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, secretToolLookup, sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day } from '../support/dates.js';
import { flowRig, consentUrlFrom, confirmConsent, waitForOutput, type FlowRig } from '../support/flow.js';
import { startAmazonDouble } from '../amazon-double/index.js';

beforeAll(() => requireTestKeyring());

const rigs: FlowRig[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function rig(options: Parameters<typeof flowRig>[0] = {}) {
  const r = await flowRig({ redirectUri: 'https://relay.example.com/amz-token/', ...options });
  rigs.push(r);
  return r;
}

async function importProfile(r: FlowRig, profile: string, env: Record<string, string> = {}) {
  const token = r.double.issueRefreshToken(FAKE.clientId);
  const result = await r.s.run(
    ['import', '--profile', profile, '--app', r.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', `${day(-300)}T00:00:00Z`],
    { input: token, env },
  );
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return token;
}

const configOf = (r: FlowRig) => readFileSync(join(r.s.configDir, 'config.json'), 'utf8');

describe('signals during request and renew', () => {
  const STEPS = ['waiting for the seller', 'exchanging the code at LWA'] as const;
  const CASES = (['request', 'renew'] as const).flatMap((command) =>
    STEPS.flatMap((step) => (['SIGINT', 'SIGTERM'] as const).map((signal) => [command, step, signal] as const)),
  );

  it.each(CASES)('%s, %s, %s: exits 6, keychain and profile as before', async (command, step, signal) => {
    const r = await rig();
    const profile = `${r.s.prefix}-sig`;
    const oldToken = command === 'renew' ? await importProfile(r, profile) : null;
    const before = configOf(r);
    if (step === 'exchanging the code at LWA') r.double.faults.hang = true;
    const args = command === 'request' ? ['request', '--profile', profile, '--app', r.app, '--marketplace', 'DE'] : ['renew', '--profile', profile];
    const run = r.s.start([...args, '--no-browser', '--port', '0', '--timeout', '60']);
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    if (step === 'exchanging the code at LWA') {
      run.child.stdin!.write(`${await confirmConsent(consent)}\n`);
      await waitForOutput(() => String(r.double.requests.length), (n) => n === '1');
    }
    run.child.kill(signal);
    const result = await run.child;
    expect(result.exitCode).toBe(6);
    expect(run.stderr()).toContain(`cancelled by ${signal}; nothing was stored`);
    expect(configOf(r)).toBe(before);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(oldToken);
    expect(existsSync(join(r.s.configDir, `flow-${profile}.lock`))).toBe(false);
  });
});

describe('the keychain locked or going away mid-command', () => {
  const SCRIPT = resolve(import.meta.dirname, '../../scripts/secret-service.sh');

  /** A keyring of this test's own, so locking or stopping it disturbs no other test. */
  async function privateKeyring() {
    const started = await execa('bash', [SCRIPT, 'start']);
    const env: Record<string, string> = {};
    for (const line of String(started.stdout).split('\n')) {
      const m = /^export (\w+)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!.replace(/\\(.)/g, '$1'); // undo printf %q (e.g. "\\,")
    }
    const stop = () => execa('bash', [SCRIPT, 'stop', env.AMZ_TOKEN_TEST_SS_DIR!], { reject: false });
    cleanups.push(stop);
    const bus = { DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS!, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR!, XDG_DATA_HOME: env.XDG_DATA_HOME! };
    const lock = () =>
      execa('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], { env: bus });
    return { bus, stop, lock };
  }

  /** A rig whose app secret and one imported profile live in the private keyring. */
  async function rigOnPrivateKeyring() {
    const keyring = await privateKeyring();
    const r = await rig();
    Object.assign(r.s.env, keyring.bus);
    // The rig stored the client secret in the shared keyring; this keyring needs it too.
    expect((await r.s.run(['app', 'set-secret', r.app, '--secret-created', day(-60)], { input: FAKE.clientSecret })).exitCode).toBe(0);
    const profile = `${r.s.prefix}-kc`;
    await importProfile(r, profile);
    return { r, profile, keyring, before: configOf(r) };
  }

  it('renew after the keyring daemon died: exit 8, config untouched', async () => {
    const { r, profile, keyring, before } = await rigOnPrivateKeyring();
    const run = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '60']);
    const landing = await confirmConsent(consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?'))));
    await keyring.stop();
    run.child.stdin!.write(`${landing}\n`);
    const result = await run.child;
    expect(result.exitCode).toBe(8);
    expect(run.stderr()).toMatch(/keychain is unavailable/);
    expect(configOf(r)).toBe(before);
    const status = await r.s.run(['status', '--profile', profile]);
    expect(status.exitCode).toBe(0); // status needs no keychain
  });

  it('a locked keychain: renew, token and import exit 8 before changing anything', async () => {
    const { r, profile, keyring, before } = await rigOnPrivateKeyring();
    await keyring.lock();
    const renew = await r.s.run(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '30']);
    expect(renew.exitCode).toBe(8);
    expect(String(renew.stderr)).toMatch(/keychain .*is locked, and there is no display/);
    expect(String(renew.stderr)).not.toContain('/apps/authorize/consent?'); // failed before the browser step
    const token = await r.s.run(['token', '--profile', profile]);
    expect(token.exitCode).toBe(8);
    expect(String(token.stdout)).toBe('');
    const imported = await r.s.run(
      ['import', '--profile', `${profile}-2`, '--app', r.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', day(-300)],
      { input: r.double.issueRefreshToken(FAKE.clientId) },
    );
    expect(imported.exitCode).toBe(8);
    expect(configOf(r)).toBe(before);
  });
});

// Root ignores permission bits, so a real read-only or full file system is
// mounted for these rows; that needs root, as `npm test` runs in CI.
async function mounted(options: string): Promise<string> {
  if (process.getuid?.() !== 0) throw new Error('the disk-fault rows mount a tmpfs and need root (CI runs as root)');
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-disk-'));
  await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  cleanups.push(() => execa('umount', ['-l', dir]));
  return dir;
}

/** An app in a config folder on its own tmpfs, and the import that the fault should stop. */
async function configOnTmpfs(options: string) {
  const dir = await mounted(options);
  const s = sandbox();
  const configDir = join(dir, 'config');
  const run = (args: string[], input = '') => s.run(args, { input, env: { AMZ_TOKEN_CONFIG_DIR: configDir } });
  const added = await run(['app', 'add', `${s.prefix}-app`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], FAKE.clientSecret);
  expect(added.exitCode).toBe(0);
  return {
    dir,
    run,
    runWith: (args: string[], env: Record<string, string>) => s.run(args, { env: { AMZ_TOKEN_CONFIG_DIR: configDir, ...env } }),
    start: (args: string[], env: Record<string, string>) => s.start(args, { env: { AMZ_TOKEN_CONFIG_DIR: configDir, ...env } }),
    app: `${s.prefix}-app`,
    profile: `${s.prefix}-p`,
    config: () => readFileSync(join(configDir, 'config.json'), 'utf8'),
    importProfile: () =>
      run(['import', '--profile', `${s.prefix}-p`, '--app', `${s.prefix}-app`, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', day(-330)], FAKE.refreshToken),
  };
}

describe('disk problems', () => {
  it('a full disk: import exits 8 naming ENOSPC, and the old config survives byte for byte', async () => {
    const disk = await configOnTmpfs('size=64k');
    const before = disk.config();
    await execa('sh', ['-c', `dd if=/dev/zero of=${join(disk.dir, 'filler')} bs=4k 2>/dev/null || true`]);
    const result = await disk.importProfile();
    expect(result.exitCode).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write .*config\.json \(ENOSPC\); the previous file is unchanged/);
    expect(String(result.stderr)).toMatch(/free some disk space/);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`profile/${disk.profile}/refresh-token`)).toBeNull(); // rolled back
  });

  it('a read-only config folder: import exits 8 naming EROFS, and the old config survives', async () => {
    const disk = await configOnTmpfs('size=1m');
    const before = disk.config();
    await execa('mount', ['-o', 'remount,ro', disk.dir]);
    const result = await disk.importProfile();
    expect(result.exitCode).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write .*\(EROFS\)/);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`profile/${disk.profile}/refresh-token`)).toBeNull();
    expect((await disk.run(['status'])).exitCode).toBe(5); // still readable: no profiles, nothing broken
  });
});

describe('store migrate --dry-run checks the writes the real run needs', () => {
  it('a read-only config folder: exit 8 naming EROFS, nothing written anywhere', async () => {
    const disk = await configOnTmpfs('size=1m');
    const before = disk.config();
    await execa('mount', ['-o', 'remount,ro', disk.dir]);
    const secretsFile = join(mkdtempSync(join(tmpdir(), 'amz-token-dry-')), 'secrets.json');
    const result = await disk.runWith(['store', 'migrate', '--to', 'file', '--dry-run'], { AMZ_TOKEN_SECRETS_FILE: secretsFile });
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write .*config\.json \(EROFS\)/);
    expect(disk.config()).toBe(before);
    expect(existsSync(secretsFile)).toBe(false);
  });
});

describe('the flow lock on a folder that cannot take it', () => {
  const request = (disk: Awaited<ReturnType<typeof configOnTmpfs>>) =>
    disk.run(['request', '--profile', disk.profile, '--app', disk.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '1']);
  const flowLock = (disk: { dir: string; profile: string }) => join(disk.dir, 'config', `flow-${disk.profile}.lock`);

  it('a read-only config folder: request exits 8 naming the lock file and EROFS', async () => {
    const disk = await configOnTmpfs('size=1m');
    await execa('mount', ['-o', 'remount,ro', disk.dir]);
    const result = await request(disk);
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write the lock file .*flow-.*\.lock \(EROFS\); nothing was changed/);
  });

  it('a full disk: exit 8 naming ENOSPC, no lock left behind; an empty lock file is stale', async () => {
    const disk = await configOnTmpfs('size=64k');
    const filler = join(disk.dir, 'filler');
    await execa('sh', ['-c', `dd if=/dev/zero of=${filler} bs=4k 2>/dev/null || true`]);
    for (let run = 0; run < 2; run++) {
      const result = await request(disk);
      expect(result.exitCode, String(result.stderr)).toBe(8);
      expect(String(result.stderr)).toMatch(/cannot write the lock file .*\(ENOSPC\)/);
      expect(existsSync(flowLock(disk))).toBe(false);
    }
    rmSync(filler);
    writeFileSync(flowLock(disk), ''); // as an older version left it on a full disk
    const result = await request(disk);
    expect(result.exitCode, String(result.stderr)).toBe(6);
    expect(String(result.stderr)).not.toContain('is running');
    expect(String(result.stderr)).toMatch(/timed out|within 1 s|no answer/i);
    expect(existsSync(flowLock(disk))).toBe(false);
  });
});

describe('a config folder that turns read-only before the config write: the secret is rolled back', () => {
  // Every command that stores a secret goes through one transaction (secret, then config).
  // Each row makes the config write fail after the secret went in, and checks both are as before.
  async function readOnly(disk: { dir: string }) {
    await execa('mount', ['-o', 'remount,ro', disk.dir]);
  }

  it('app add: exit 8, no app in the config, no client secret left in the keychain', async () => {
    const disk = await configOnTmpfs('size=1m');
    const before = disk.config();
    await readOnly(disk);
    const result = await disk.run(['app', 'add', `${disk.app}-2`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://e.example/cb'], FAKE.clientSecret);
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write .*\(EROFS\)/);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`app/${disk.app}-2/client-secret`)).toBeNull();
  });

  it('app set-secret: exit 8, the old secret and its creation date stay', async () => {
    const disk = await configOnTmpfs('size=1m');
    const before = disk.config();
    await readOnly(disk);
    const result = await disk.run(['app', 'set-secret', disk.app], 'amzn1.oa2-cs.v1.rotatedsecret0123456789abcdef');
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`app/${disk.app}/client-secret`)).toBe(FAKE.clientSecret);
  });

  it('request: the flow completes at Amazon, the config write fails: exit 8, no profile, no refresh token', async () => {
    const disk = await configOnTmpfs('size=1m');
    const double = await startAmazonDouble({
      apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://e.example/cb'] }],
    });
    cleanups.push(() => double.close());
    const before = disk.config();
    const run = disk.start(['request', '--profile', disk.profile, '--app', disk.app, '--marketplace', 'DE', '--no-browser', '--port', '0', '--timeout', '60'], {
      AMZ_TOKEN_CENTRAL_URL: double.origin,
      AMZ_TOKEN_LWA_URL: double.lwaUrl,
      AMZ_TOKEN_SPAPI_URL: double.spApiOrigin,
    });
    const consent = consentUrlFrom(await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?')));
    // The flow lock is taken; now the folder goes read-only, before the seller confirms.
    await readOnly(disk);
    run.child.stdin!.write(`${await confirmConsent(consent)}\n`);
    const result = await run.child;
    expect(result.exitCode, run.stderr()).toBe(8);
    expect(run.stderr()).toMatch(/cannot write .*\(EROFS\)/);
    expect(double.requests).toHaveLength(1); // the code was exchanged: the rollback is what kept the keychain clean
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`profile/${disk.profile}/refresh-token`)).toBeNull();
  });
});

describe('remove --yes when config.json cannot be written: the refresh token survives', () => {
  it('a read-only config folder: exit 8, the profile and its refresh token stay, and it says nothing changed', async () => {
    const disk = await configOnTmpfs('size=1m');
    expect((await disk.importProfile()).exitCode).toBe(0);
    const before = disk.config();
    await execa('mount', ['-o', 'remount,ro', disk.dir]);
    const result = await disk.run(['remove', '--profile', disk.profile, '--yes']);
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(String(result.stderr)).toMatch(/cannot write .*\(EROFS\).*nothing was changed/);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`profile/${disk.profile}/refresh-token`)).toBe(FAKE.refreshToken);
  });

  it('a live process holds config.json.lock: exit 8 naming the lock, the refresh token stays', async () => {
    const disk = await configOnTmpfs('size=1m');
    expect((await disk.importProfile()).exitCode).toBe(0);
    const before = disk.config();
    const holder = execa('sleep', ['300'], { reject: false });
    cleanups.push(async () => holder.kill());
    writeFileSync(join(disk.dir, 'config', 'config.json.lock'), String(holder.pid));
    const result = await disk.run(['remove', '--profile', disk.profile, '--yes']);
    expect(result.exitCode, String(result.stderr)).toBe(8);
    expect(String(result.stderr)).toMatch(/config\.json\.lock is held by another amz-token process; nothing was changed/);
    expect(disk.config()).toBe(before);
    expect(await secretToolLookup(`profile/${disk.profile}/refresh-token`)).toBe(FAKE.refreshToken);
  });
});

describe('commands racing each other', () => {
  it('a second renew of the same profile is refused at once while the first waits', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-twice`;
    const oldToken = await importProfile(r, profile);
    const first = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '60']);
    const consent = consentUrlFrom(await waitForOutput(first.stderr, (t) => t.includes('/apps/authorize/consent?')));
    const second = await r.s.run(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '60']);
    expect(second.exitCode).toBe(6);
    expect(String(second.stderr)).toMatch(/another amz-token request or renew for profile ".*" is running \(pid \d+\)/);
    first.child.stdin!.write(`${await confirmConsent(consent)}\n`);
    expect((await first.child).exitCode, first.stderr()).toBe(0);
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).not.toBe(oldToken);
  });

  it('status keeps answering valid JSON while renew writes', async () => {
    const r = await rig();
    const profile = `${r.s.prefix}-busy`;
    await importProfile(r, profile);
    const renew = r.s.start(['renew', '--profile', profile, '--no-browser', '--port', '0', '--timeout', '60']);
    const consent = consentUrlFrom(await waitForOutput(renew.stderr, (t) => t.includes('/apps/authorize/consent?')));
    const readers = Array.from({ length: 6 }, () => r.s.run(['status', '--json']));
    renew.child.stdin!.write(`${await confirmConsent(consent)}\n`);
    readers.push(...Array.from({ length: 6 }, () => r.s.run(['status', '--json'])));
    const results = await Promise.all(readers);
    expect((await renew.child).exitCode, renew.stderr()).toBe(0);
    for (const result of results) {
      expect([0, 3, 4]).toContain(result.exitCode);
      expect(JSON.parse(String(result.stdout)).profiles[0].profile).toBe(profile);
    }
  });

  it('20 imports at once: every profile and every token lands', async () => {
    const r = await rig();
    const names = Array.from({ length: 20 }, (_, i) => `${r.s.prefix}-many${i}`);
    const tokens = names.map(() => r.double.issueRefreshToken(FAKE.clientId));
    const results = await Promise.all(
      names.map((name, i) =>
        r.s.run(['import', '--profile', name, '--app', r.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', day(-270)], {
          input: tokens[i],
        }),
      ),
    );
    for (const result of results) expect(result.exitCode, String(result.stderr)).toBe(0);
    const config = JSON.parse(configOf(r));
    expect(Object.keys(config.profiles).sort()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) expect(await secretToolLookup(`profile/${name}/refresh-token`)).toBe(tokens[i]);
  });
});

