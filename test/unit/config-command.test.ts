// `amz-token config get|set|unset base-url|store` in-process: the value is checked before
// anything is written, written normalised, and read back by serve and invite.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeEnvironment } from '../support/fake-deps.js';

const configJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('config base-url', () => {
  it('set writes the normalised URL, get prints it alone on stdout, unset removes it', async () => {
    const env = fakeEnvironment();
    const set = await env.run(['config', 'set', 'base-url', 'https://auth.example.com/amz-token/']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('');
    expect(set.stderr).toContain('base-url: (not set) -> https://auth.example.com/amz-token');
    expect(configJson(env.deps.configDir).baseUrl).toBe('https://auth.example.com/amz-token');
    expect(await env.run(['config', 'get', 'base-url'])).toEqual({ code: 0, stdout: 'https://auth.example.com/amz-token\n', stderr: '' });
    expect(JSON.parse((await env.run(['--json', 'config', 'get', 'base-url'])).stdout)).toEqual({ key: 'base-url', value: 'https://auth.example.com/amz-token' });

    const unset = await env.run(['config', 'unset', 'base-url']);
    expect(unset.code).toBe(0);
    expect(configJson(env.deps.configDir)).not.toHaveProperty('baseUrl');
    const again = await env.run(['config', 'unset', 'base-url']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('was not set; nothing changed');
  });

  it('get of an unset key exits 5 with nothing on stdout, naming the command that sets it', async () => {
    const result = await fakeEnvironment().run(['config', 'get', 'base-url']);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/base-url is not set in .*config\.json\n.*amz-token config set base-url/);
  });

  it.each([
    ['http://auth.example.com/x', /must be an https URL/],
    ['https://auth.example.com/x?a=1', /must not carry a user name, a query or a fragment/],
    ['auth.example.com', /is not an absolute URL/],
    ['https://auth.example.com/a b', /path may hold only/],
  ])('a bad value (%s) is exit 2 in one line, and config.json keeps its old value', async (value, message) => {
    const env = fakeEnvironment();
    expect((await env.run(['config', 'set', 'base-url', 'https://old.example.com'])).code).toBe(0);
    const result = await env.run(['config', 'set', 'base-url', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(configJson(env.deps.configDir).baseUrl).toBe('https://old.example.com');
  });

  it('an unknown key or a missing value is a usage error naming the keys', async () => {
    const env = fakeEnvironment();
    const unknown = await env.run(['config', 'set', 'baseurl', 'https://a.example.com']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Allowed choices are base-url/);
    expect((await env.run(['config', 'set', 'base-url'])).code).toBe(2);
    expect((await env.run(['config'])).code).toBe(2);
  });

  it('keeps the apps and profiles of config.json as they were', async () => {
    const env = fakeEnvironment();
    mkdirSync(env.deps.configDir, { recursive: true, mode: 0o700 });
    const before = { version: 1, apps: {}, profiles: {}, store: 'file' };
    writeFileSync(join(env.deps.configDir, 'config.json'), JSON.stringify(before), { mode: 0o600 });
    expect((await env.run(['config', 'set', 'base-url', 'https://auth.example.com'])).code).toBe(0);
    expect(configJson(env.deps.configDir)).toEqual({ ...before, baseUrl: 'https://auth.example.com' });
  });

  it('a file where the config folder should be: exit 2 naming it, and the file stays (updateConfig: read-only and full folders are exit 8, tested with the other writers)', async () => {
    const env = fakeEnvironment();
    mkdirSync(join(env.deps.configDir, '..'), { recursive: true });
    writeFileSync(env.deps.configDir, 'not a folder');
    const result = await env.run(['config', 'set', 'base-url', 'https://auth.example.com']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${env.deps.configDir}: cannot create the config folder`);
    expect(readFileSync(env.deps.configDir, 'utf8')).toBe('not a folder');
  });

  it('invite uses the saved base URL when neither --base-url nor AMZ_TOKEN_BASE_URL is given', async () => {
    const env = fakeEnvironment();
    expect((await env.run(['config', 'set', 'base-url', 'https://auth.example.com/amz'])).code).toBe(0);
    const missing = await env.run(['invite', '--profile', 'shop-de']);
    // Past the base URL (chosen first, see below) to the profile, which does not exist.
    expect(missing.stderr).not.toMatch(/no base URL/);
    expect({ code: missing.code, line: missing.stderr.split('\n')[0] }).toEqual({ code: 5, line: 'amz-token: no profile "shop-de"' });
    const none = fakeEnvironment();
    const refused = await none.run(['invite', '--profile', 'shop-de']);
    expect(refused.stderr).toMatch(/no base URL[^\n]*\n.*amz-token config set base-url/);
  });
});

describe('config store', () => {
  it('set store file proves the store answers, saves it, and says once that the file is plain text; get prints it', async () => {
    const env = fakeEnvironment();
    const set = await env.run(['config', 'set', 'store', 'file']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('');
    expect(set.stderr).toContain('store: (not set) -> file');
    expect(set.stderr.match(/warning: the file store keeps secrets in .*secrets\.json in plain text/g)).toHaveLength(1);
    expect(configJson(env.deps.configDir).store).toBe('file');
    expect(await env.run(['config', 'get', 'store'])).toEqual({ code: 0, stdout: 'file\n', stderr: '' });

    const back = await env.run(['config', 'set', 'store', 'helper:nosuchhelper']);
    // No such helper: refused with the reason, and the saved choice stays.
    expect(back.code).toBe(8);
    expect(back.stderr).toMatch(/docker-credential-nosuchhelper is not on PATH/);
    expect(configJson(env.deps.configDir).store).toBe('file');
  });

  it('get of an unset store exits 5 and says the keychain is the default', async () => {
    const result = await fakeEnvironment().run(['config', 'get', 'store']);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/store is not set in .*config\.json\n.*the keychain is used/);
  });

  it.each([
    ['vault', false, 2, /store must be keychain, file or helper:<name>/],
    ['helper:../x', false, 2, /store must be keychain, file or helper:<name>/],
    ['file', true, 2, /is inside the config folder/],
  ])('%s (secrets file in the config folder: %s) is refused with exit %i, and config.json keeps its old value', async (value, inside, code, message) => {
    const vars: Record<string, string> = {};
    const env = fakeEnvironment({ env: vars });
    if (inside) vars.AMZ_TOKEN_SECRETS_FILE = join(env.deps.configDir, 'secrets.json');
    expect((await env.run(['config', 'set', 'base-url', 'https://old.example.com'])).code).toBe(0);
    const result = await env.run(['config', 'set', 'store', value]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(configJson(env.deps.configDir)).not.toHaveProperty('store');
  });

  it('a secrets file that is not one is refused (exit 8, the reason), and nothing is saved', async () => {
    const env = fakeEnvironment();
    mkdirSync(env.deps.dataDir, { recursive: true });
    writeFileSync(join(env.deps.dataDir, 'secrets.json'), 'not json');
    const result = await env.run(['config', 'set', 'store', 'file']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('is not a valid secrets file');
    expect(readFileSync(join(env.deps.dataDir, 'secrets.json'), 'utf8')).toBe('not json');
  });
});
