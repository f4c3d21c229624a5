// Hardening: secret stores that another tool or a bad setting has spoiled.
// A second keychain entry for one account (python-keyring writes its own), and
// a secrets file placed where config writes would destroy it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTestKeyring, sandbox, secretToolLookup, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { day } from '../support/dates.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

beforeAll(() => requireTestKeyring());

const SELLER = 'A3TESTSELLER01';
let double: AmazonDouble;
beforeAll(async () => {
  double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: SELLER,
  });
});
afterAll(() => double?.close());

async function withProfile(): Promise<{ s: Sandbox; app: string; profile: string; token: string }> {
  const s = sandbox();
  const [app, profile] = [`${s.prefix}-app`, `${s.prefix}-shop`];
  const token = double.issueRefreshToken(FAKE.clientId);
  const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret });
  expect(added.exitCode, String(added.stderr)).toBe(0);
  const imported = await s.run(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', day(-60)], { input: token });
  expect(imported.exitCode, String(imported.stderr)).toBe(0);
  return { s, app, profile, token };
}

/** What python-keyring's SecretService backend writes for keyring.set_password('amz-token', account, value). */
async function pythonKeyringEntry(account: string, value: string): Promise<void> {
  const stored = await execa('secret-tool', ['store', '--label', `Password for '${account}' on 'amz-token'`, 'service', 'amz-token', 'username', account, 'application', 'Python keyring library'], { input: value });
  expect(stored.exitCode).toBe(0);
}

async function entriesFor(account: string): Promise<number> {
  const search = await execa('secret-tool', ['search', '--all', 'service', 'amz-token', 'username', account], { reject: false });
  return String(search.stdout).split('\n').filter((line) => line.startsWith('[/')).length;
}

describe('a second keychain entry for the same account', () => {
  it('with a different secret: exit 8 in one plain line naming the account and how to delete it; remove cleans both up', async () => {
    const { s, profile } = await withProfile();
    const account = `profile/${profile}/refresh-token`;
    await pythonKeyringEntry(account, 'Atzr|IwEBIPythonKeyringsOwnCopy');
    expect(await entriesFor(account)).toBe(2);

    const token = await s.run(['token', '--profile', profile], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl } });
    expect(token.exitCode).toBe(8);
    expect(String(token.stdout)).toBe('');
    const lines = String(token.stderr).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `amz-token: the keychain holds 2 different entries for ${account}: another tool (such as python-keyring) wrote one; amz-token's is labelled "keyring:${account}@amz-token"`,
    );
    expect(lines[1]).toContain(`secret-tool search --all service amz-token username ${account}`);
    expect(String(token.stderr)).not.toMatch(/Entry \{|Wrapper|Path\(|\\0/);
    expect(String(token.stderr)).not.toContain('PythonKeyringsOwnCopy');

    const removed = await s.run(['remove', '--profile', profile, '--yes']);
    expect(removed.exitCode, String(removed.stderr)).toBe(0);
    expect(await entriesFor(account)).toBe(0);
    expect(JSON.parse(readFileSync(join(s.configDir, 'config.json'), 'utf8')).profiles[profile]).toBeUndefined();
  });

  it('with the same secret: there is nothing to choose, and token works', async () => {
    const { s, profile, token: refreshToken } = await withProfile();
    await pythonKeyringEntry(`profile/${profile}/refresh-token`, refreshToken);
    const token = await s.run(['token', '--profile', profile], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl } });
    expect(token.exitCode, String(token.stderr)).toBe(0);
    expect(String(token.stdout)).toMatch(/^Atza\|/);
    expect((await s.run(['remove', '--profile', profile, '--yes'])).exitCode).toBe(0);
    expect(await entriesFor(`profile/${profile}/refresh-token`)).toBe(0);
  });
});

describe('a secrets file where config writes would destroy it', () => {
  // One profile for every row: each row must leave it exactly as it was, which is what it checks.
  let shared: ReturnType<typeof withProfile> | undefined;

  it.each([
    ['config.json itself', (configDir: string) => join(configDir, 'config.json'), /is config\.json itself/],
    ['a file inside the config folder', (configDir: string) => join(configDir, 'secrets.json'), /is inside the config folder/],
    [
      'a file reached through a link to the config folder',
      (configDir: string) => {
        const link = join(mkdtempSync(join(tmpdir(), 'amz-token-link-')), 'data');
        symlinkSync(configDir, link);
        return join(link, 'secrets.json');
      },
      /is inside the config folder/,
    ],
  ])('%s: exit 2, the token and config.json untouched', async (_what, secretsFileIn, message) => {
    const { s, app, profile } = await (shared ??= withProfile());
    const secretsFile = secretsFileIn(s.configDir);
    const config = readFileSync(join(s.configDir, 'config.json'));
    const env = { AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: secretsFile };
    const rotated = double.issueRefreshToken(FAKE.clientId);
    const result = await s.run(['import', '--force', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', day(-30)], { input: rotated, env });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(message);
    expect(String(result.stderr)).toContain('set AMZ_TOKEN_SECRETS_FILE to a path outside the config folder');
    expect(readFileSync(join(s.configDir, 'config.json'))).toEqual(config);
    expect(existsSync(join(s.configDir, 'secrets.json'))).toBe(false);
    expect(String(readFileSync(join(s.configDir, 'config.json')))).not.toContain(rotated);
    // The keychain still has the profile's token: nothing moved anywhere.
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).not.toBeNull();
  });
});

describe('a secrets file others can read (AMZ_TOKEN_STORE=file)', () => {
  it('is warned about and set to 600, as config.json is, and still used', async () => {
    const s = sandbox();
    const secretsFile = join(mkdtempSync(join(tmpdir(), 'amz-token-secrets-')), 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ 'profile/x/refresh-token': FAKE.refreshToken }), { mode: 0o644 });
    chmodSync(secretsFile, 0o644); // whatever the umask
    const result = await s.run(['store', 'show'], { env: { AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: secretsFile } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain(`warning: ${secretsFile} was readable by others (mode 644); set it to 600`);
    expect(String(result.stdout)).toMatch(/yes: 1 amz-token entry/);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(String(result.stderr) + String(result.stdout)).not.toContain(FAKE.refreshToken);
  });
});
