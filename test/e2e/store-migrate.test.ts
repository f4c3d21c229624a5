// End to end: `store migrate` from the real keychain to helpers that fail,
// are missing, or are interrupted between two writes (the old store and
// config.json must stay byte for byte), and the real docker-credential-secretservice
// against the test's gnome-keyring as the store in use.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, sandbox, secretToolLookup, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day } from '../support/dates.js';
import { startAmazonDouble } from '../amazon-double/index.js';

beforeAll(() => requireTestKeyring());

const HELPERS = resolve(import.meta.dirname, '../support/credential-helpers');
const SELLER = 'A3TESTSELLER01';

/** A sandbox with an app and a profile on the keychain, and a folder for the fake helpers' store. */
async function onTheKeychain(): Promise<{ s: Sandbox; app: string; profile: string; env: Record<string, string>; helperDir: string }> {
  const s = sandbox();
  const [app, profile] = [`${s.prefix}-app`, `${s.prefix}-shop`];
  const helperDir = mkdtempSync(join(tmpdir(), 'amz-token-fake-helper-'));
  const env = { PATH: `${HELPERS}:${process.env.PATH}`, FAKE_HELPER_DIR: helperDir };
  const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret });
  expect(added.exitCode, String(added.stderr)).toBe(0);
  const imported = await s.run(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', day(-60)], { input: FAKE.refreshToken });
  expect(imported.exitCode, String(imported.stderr)).toBe(0);
  return { s, app, profile, env, helperDir };
}

/** The keychain items (read back by libsecret's own CLI) and config.json's bytes. */
async function snapshot(s: Sandbox, app: string, profile: string) {
  const accounts = [`app/${app}/client-secret`, `profile/${profile}/refresh-token`, `profile/${profile}/access-token`];
  let items = 0;
  for (const account of accounts) {
    const search = await execa('secret-tool', ['search', '--all', 'service', 'amz-token', 'username', account], { reject: false });
    items += String(search.stdout).split('\n').filter((line) => line.startsWith('[/')).length;
  }
  return {
    clientSecret: await secretToolLookup(accounts[0]!),
    refreshToken: await secretToolLookup(accounts[1]!),
    items,
    config: readFileSync(join(s.configDir, 'config.json')),
  };
}

function entriesIn(helperDir: string): string[] {
  return existsSync(join(helperDir, 'entries')) ? readdirSync(join(helperDir, 'entries')) : [];
}

async function until(condition: () => boolean, what: string): Promise<void> {
  // Bounded by a count, not a clock reading: the test waits for an event, it does not time anything.
  for (let i = 0; i < 3000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition(), what).toBe(true);
}

describe('store migrate leaves the old store and config.json byte for byte when it cannot finish', () => {
  it('a helper that fails on its second write: exit 8, and the first write is erased again', async () => {
    const { s, app, profile, env, helperDir } = await onTheKeychain();
    const before = await snapshot(s, app, profile);
    const result = await s.run(['store', 'migrate', '--to', 'helper:breaks-on-second-store'], { env });
    expect(result.exitCode).toBe(8);
    expect(String(result.stderr)).toMatch(/^amz-token: docker-credential-breaks-on-second-store store failed \(exit 1\): fake helper: store number 2 refused: backend offline; erased what it had written to docker-credential-breaks-on-second-store \(store helper:breaks-on-second-store\)\. The old store and config\.json are unchanged$/m);
    expect(String(result.stdout)).toBe('');
    expect(await snapshot(s, app, profile)).toEqual(before);
    expect(before).toMatchObject({ clientSecret: FAKE.clientSecret, refreshToken: FAKE.refreshToken, items: 2 });
    expect(readFileSync(join(helperDir, 'stores'), 'utf8').trim()).toBe('2');
    expect(entriesIn(helperDir)).toEqual([]);
  });

  it('a helper that is not on PATH: exit 8 naming the binary and the Debian package', async () => {
    const { s, app, profile, env } = await onTheKeychain();
    const before = await snapshot(s, app, profile);
    // A PATH with node on it and nothing else: docker-credential-pass is installed on this machine.
    const onlyNode = mkdtempSync(join(tmpdir(), 'amz-token-only-node-'));
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    const result = await s.run(['store', 'migrate', '--to', 'helper:pass'], { env: { ...env, PATH: onlyNode } });
    expect(result.exitCode).toBe(8);
    expect(String(result.stderr)).toContain('amz-token: docker-credential-pass is not on PATH');
    expect(String(result.stderr)).toContain('install it: apt-get install golang-docker-credential-helpers pass');
    expect(await snapshot(s, app, profile)).toEqual(before);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s between two writes: exit 8, what was written is erased', async (signal) => {
    const { s, app, profile, env, helperDir } = await onTheKeychain();
    const before = await snapshot(s, app, profile);
    const running = s.start(['store', 'migrate', '--to', 'helper:blocks-on-second-store'], { env });
    // The helper holds its second `store` until told: the signal lands between the two writes.
    await until(() => existsSync(join(helperDir, 'blocked')), 'the second write started');
    expect(entriesIn(helperDir)).toHaveLength(1);
    running.child.kill(signal);
    await until(() => running.stderr().includes(`${signal} received`), 'amz-token took the signal');
    writeFileSync(join(helperDir, 'release'), '');
    const result = await running.child;
    expect(result.exitCode, running.stderr()).toBe(8);
    expect(running.stderr()).toContain(`amz-token: ${signal} received: migration stopped; erased what it had written`);
    expect(await snapshot(s, app, profile)).toEqual(before);
    expect(entriesIn(helperDir)).toEqual([]);
  });
});

describe('the real docker-credential-secretservice as the store in use', () => {
  it('app add, import, token and remove keep every secret in the helper, and remove erases them', async () => {
    const double = await startAmazonDouble({
      apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
      sellingPartnerId: SELLER,
    });
    try {
      const s = sandbox();
      const [app, profile] = [`${s.prefix}-app`, `${s.prefix}-shop`];
      // AMZ_TOKEN_CACHE=store: the access token is cached in the helper too (by default it would be in the runtime cache).
      const env = { AMZ_TOKEN_STORE: 'helper:secretservice', AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_CACHE: 'store' };
      const refreshToken = double.issueRefreshToken(FAKE.clientId);
      const helperItem = async (account: string) => {
        const found = await execa('secret-tool', ['lookup', 'server', `amz-token://${account}`], { reject: false });
        return found.exitCode === 0 ? String(found.stdout) : null;
      };

      const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret, env });
      expect(added.exitCode, String(added.stderr)).toBe(0);
      expect(String(added.stderr)).toContain('docker-credential-secretservice (store helper:secretservice)');
      const imported = await s.run(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', day(-60)], { input: refreshToken, env });
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
      // The helper's own items (schema io.docker.Credentials), not amz-token's keychain entries.
      expect(await helperItem(`app/${app}/client-secret`)).toBe(FAKE.clientSecret);
      expect(await helperItem(`profile/${profile}/refresh-token`)).toBe(refreshToken);
      expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBeNull();

      const token = await s.run(['token', '--profile', profile], { env });
      expect(token.exitCode, String(token.stderr)).toBe(0);
      expect(String(token.stdout)).toMatch(/^Atza\|/);
      expect(JSON.parse((await helperItem(`profile/${profile}/access-token`))!).accessToken).toBe(String(token.stdout).trim());
      const again = await s.run(['token', '--profile', profile], { env });
      expect(String(again.stdout), 'the cached token, read back from the helper').toBe(String(token.stdout));

      const removed = await s.run(['remove', '--profile', profile, '--yes'], { env });
      expect(removed.exitCode, String(removed.stderr)).toBe(0);
      expect(await helperItem(`profile/${profile}/refresh-token`)).toBeNull();
      expect(await helperItem(`profile/${profile}/access-token`)).toBeNull();
      const appRemoved = await s.run(['app', 'remove', app], { env });
      expect(appRemoved.exitCode, String(appRemoved.stderr)).toBe(0);
      expect(await helperItem(`app/${app}/client-secret`)).toBeNull();
      for (const output of [added, imported, token, removed, appRemoved]) {
        expect(String(output.stdout) + String(output.stderr)).not.toContain(refreshToken);
        expect(String(output.stdout) + String(output.stderr)).not.toContain(FAKE.clientSecret);
      }
    } finally {
      await double.close();
    }
  });
});

describe('store prune on a credential helper store (listed through the helper protocol)', () => {
  it('lists an entry that config.json no longer uses, then --yes erases it and only it', async () => {
    const s = sandbox();
    const helperDir = mkdtempSync(join(tmpdir(), 'amz-token-fake-helper-'));
    const env = { PATH: `${HELPERS}:${process.env.PATH}`, FAKE_HELPER_DIR: helperDir, AMZ_TOKEN_STORE: 'helper:pass-style' };
    const [app, kept, gone] = [`${s.prefix}-app`, `${s.prefix}-kept`, `${s.prefix}-gone`];
    expect((await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret, env })).exitCode).toBe(0);
    for (const profile of [kept, gone]) {
      const imported = await s.run(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', day(-60)], { input: FAKE.refreshToken, env });
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
    }
    // A hand edit drops a profile from config.json; its refresh token stays in the store.
    const file = join(s.configDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, unknown> };
    delete config.profiles[gone];
    writeFileSync(file, JSON.stringify(config, null, 2));
    expect(entriesIn(helperDir)).toHaveLength(3);

    const dry = await s.run(['store', 'prune'], { env });
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(String(dry.stdout)).toMatch(new RegExp(`^profile/${gone}/refresh-token\\s+delete$`, 'm'));
    expect(String(dry.stdout)).not.toContain(kept);
    expect(String(dry.stdout) + String(dry.stderr)).not.toContain(FAKE.refreshToken);
    expect(entriesIn(helperDir)).toHaveLength(3);

    const pruned = await s.run(['store', 'prune', '--yes'], { env });
    expect(pruned.exitCode, String(pruned.stderr)).toBe(0);
    expect(entriesIn(helperDir)).toHaveLength(2);
    const left = await s.run(['store', 'show', '--json'], { env });
    expect(JSON.parse(String(left.stdout)).entries).toEqual([`app/${app}/client-secret`, `profile/${kept}/refresh-token`].sort());
  });
});

describe('config set store beside store migrate', () => {
  it('refuses a store that would leave the secrets on the keychain behind (exit 2, naming store migrate); migrate --to file moves them and warns once; --quiet status then says nothing', async () => {
    const { s, app, profile } = await onTheKeychain();
    const secretsFile = join(s.configDir, '..', 'data', 'secrets.json');
    const env = { AMZ_TOKEN_SECRETS_FILE: secretsFile };
    const before = await snapshot(s, app, profile);
    const refused = await s.run(['config', 'set', 'store', 'file'], { env });
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toMatch(/^amz-token: 2 secret\(s\) of this config are in the store in use \(keychain, the default\), not in file: with "store": "file" amz-token would no longer find them\n {2}move them and record the store in one step: amz-token store migrate --to file$/);
    expect(await snapshot(s, app, profile)).toEqual(before);

    const moved = await s.run(['store', 'migrate', '--to', 'file'], { env });
    expect(moved.exitCode, String(moved.stderr)).toBe(0);
    expect(String(moved.stderr).match(/warning: the file store keeps secrets in .* in plain text/g)).toHaveLength(1);
    expect(String((await s.run(['config', 'get', 'store'], { env })).stdout)).toBe('file');
    // With the secrets in the file now, choosing it again is fine, and says so once more.
    const again = await s.run(['config', 'set', 'store', 'file'], { env });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const quiet = await s.run(['status', '--quiet'], { env });
    expect({ code: quiet.exitCode, stdout: String(quiet.stdout), stderr: String(quiet.stderr) }).toEqual({ code: 0, stdout: '', stderr: '' });
    const token = await s.run(['token', '--profile', profile, '--quiet'], { env: { ...env, AMZ_TOKEN_LWA_URL: 'http://127.0.0.1:9/unreachable', AMZ_TOKEN_HTTP_TIMEOUT_MS: '300' } });
    // The refresh token is found in the file (the failure is the unreachable LWA, exit 7, not 5).
    expect(token.exitCode, String(token.stderr)).toBe(7);
  });
});
