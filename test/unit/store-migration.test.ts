// The migration's promise, step by step, with in-memory stores that fail on
// cue: whatever goes wrong before the new store is recorded, the old store
// keeps everything and the new store keeps nothing of what was written.
// (End to end, with real helpers and signals: test/e2e/store-migrate.test.ts.)
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, planMigration, type Migration } from '../../src/secrets/migration.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { MemorySecretStore, fakeEnvironment, FAKE } from '../support/fake-deps.js';
import { commandContext } from '../../src/context.js';

const OLD = {
  'app/my-app/client-secret': FAKE.clientSecret,
  'profile/shop-de/refresh-token': FAKE.refreshToken,
  'profile/shop-de/access-token': '{"accessToken":"Atza|cached","expiresAt":"2026-11-27T13:00:00.000Z"}',
  'profile/shop-fr/refresh-token': 'Atzr|IwEBIFrenchToken',
};

class FaultyStore extends MemorySecretStore {
  override readonly description = 'the faulty store';
  failGet = new Set<string>();
  failSetAt = 0;
  corruptReadBack = new Set<string>();
  failDelete = new Set<string>();
  sets = 0;
  override async get(account: string) {
    if (this.failGet.has(account)) throw new StoreUnavailableError(`cannot read ${account}`);
    const value = await super.get(account);
    return value !== null && this.corruptReadBack.has(account) ? `${value}-mangled` : value;
  }
  override async set(account: string, value: string) {
    this.sets += 1;
    if (this.sets === this.failSetAt) throw new StoreUnavailableError(`write number ${this.sets} failed`);
    await super.set(account, value);
  }
  override async delete(account: string) {
    if (this.failDelete.has(account)) throw new StoreUnavailableError(`cannot erase ${account}`);
    await super.delete(account);
  }
}

function stores() {
  const from = new FaultyStore();
  for (const [account, value] of Object.entries(OLD)) from.items.set(account, value);
  const to = new FaultyStore();
  let recorded = 0;
  const migration: Migration = {
    from,
    to,
    expected: ['app/my-app/client-secret', 'profile/shop-de/refresh-token', 'profile/shop-fr/refresh-token', 'profile/gone/refresh-token'],
    cached: ['profile/shop-de/access-token', 'profile/shop-fr/access-token', 'profile/gone/access-token'],
    recordNewStore: async () => {
      recorded += 1;
    },
    interrupted: () => undefined,
  };
  return { from, to, migration, recorded: () => recorded };
}

async function expectUnchanged(s: ReturnType<typeof stores>, promise: Promise<unknown>, message: RegExp) {
  await expect(promise).rejects.toThrow(message);
  await promise.catch((error: unknown) => expect(error).toBeInstanceOf(StoreUnavailableError));
  expect(Object.fromEntries(s.from.items)).toEqual(OLD);
  expect([...s.to.items.keys()]).toEqual([]);
  expect(s.recorded()).toBe(0);
}

describe('store migrate', () => {
  it('moves every secret, cached access tokens too, records the new store, then erases the old entries', async () => {
    const s = stores();
    const result = await migrate(s.migration);
    expect(Object.fromEntries(s.to.items)).toEqual(OLD);
    expect([...s.from.items.keys()]).toEqual([]);
    expect(s.recorded()).toBe(1);
    expect(result.moved).toEqual(Object.keys(OLD).sort());
    expect(result.notStored).toEqual(['profile/gone/refresh-token']);
    expect(result.leftInOldStore).toEqual([]);
  });

  it("moves only this config's accounts: another config folder's entries in the same store stay", async () => {
    const s = stores();
    s.from.items.set('profile/another-config/refresh-token', 'Atzr|not-ours');
    const result = await migrate(s.migration);
    expect(result.moved).not.toContain('profile/another-config/refresh-token');
    expect(Object.fromEntries(s.from.items)).toEqual({ 'profile/another-config/refresh-token': 'Atzr|not-ours' });
    expect(Object.fromEntries(s.to.items)).toEqual(OLD);
  });

  it("copies the entries one store holds for every config folder on it (serve's signing key, the SMTP password) and leaves them in the old store", async () => {
    const s = stores();
    s.from.items.set('serve/signing-key', 'a-signing-key');
    const result = await migrate({ ...s.migration, shared: ['serve/signing-key', 'mail/smtp-password'] });
    expect(s.to.items.get('serve/signing-key')).toBe('a-signing-key');
    // Another config folder's serve, still on the old store, keeps signing its links with it.
    expect(Object.fromEntries(s.from.items)).toEqual({ 'serve/signing-key': 'a-signing-key' });
    expect(result.moved).toContain('serve/signing-key');
    expect(result.keptInOldStore).toEqual(['serve/signing-key']);
    expect(result.leftInOldStore).toEqual([]);
  });

  it('stops before writing anything when a secret cannot be read', async () => {
    const s = stores();
    s.from.failGet.add('profile/shop-fr/refresh-token');
    await expectUnchanged(s, migrate(s.migration), /^cannot read profile\/shop-fr\/refresh-token; nothing was changed$/);
  });

  it('treats an interrupt while reading as a failure too', async () => {
    const s = stores();
    s.migration.interrupted = () => 'SIGTERM';
    await expectUnchanged(s, migrate(s.migration), /^SIGTERM received: migration stopped; nothing was changed$/);
  });

  it('erases what it wrote when a write fails half-way', async () => {
    const s = stores();
    s.to.failSetAt = 3;
    await expectUnchanged(s, migrate(s.migration), /write number 3 failed; erased what it had written to the faulty store\. The old store and config\.json are unchanged/);
  });

  it('erases what it wrote when a secret does not read back as written', async () => {
    const s = stores();
    s.to.corruptReadBack.add('profile/shop-de/refresh-token');
    await expectUnchanged(s, migrate(s.migration), /did not return profile\/shop-de\/refresh-token as written \(a different value\)/);
  });

  it('erases what it wrote when recording the new store fails', async () => {
    const s = stores();
    s.migration.recordNewStore = async () => {
      throw new StoreUnavailableError('cannot write config.json (ENOSPC)');
    };
    await expectUnchanged(s, migrate(s.migration), /ENOSPC/);
  });

  it('treats an interrupt between two writes as a failure', async () => {
    const s = stores();
    s.migration.interrupted = () => (s.to.items.size >= 2 ? 'SIGINT' : undefined);
    await expectUnchanged(s, migrate(s.migration), /^SIGINT received: migration stopped; erased what it had written/);
  });

  it('says which entries it could not erase again', async () => {
    const s = stores();
    s.to.failSetAt = 2;
    s.to.failDelete.add('app/my-app/client-secret');
    await expect(migrate(s.migration)).rejects.toThrow(/could not erase app\/my-app\/client-secret from the faulty store again: erase them by hand/);
    expect(Object.fromEntries(s.from.items)).toEqual(OLD);
  });

  it('refuses, changing nothing, when the new store holds a different secret for an account', async () => {
    const s = stores();
    s.to.items.set('profile/shop-de/refresh-token', 'Atzr|a-teammates-newer-token');
    await expect(migrate(s.migration)).rejects.toThrow(/^the faulty store already holds a different secret for profile\/shop-de\/refresh-token; nothing was changed$/);
    expect(Object.fromEntries(s.from.items)).toEqual(OLD);
    expect(Object.fromEntries(s.to.items)).toEqual({ 'profile/shop-de/refresh-token': 'Atzr|a-teammates-newer-token' });
  });

  it('keeps an equal entry the new store had already, and never erases it on rollback', async () => {
    const s = stores();
    s.to.items.set('app/my-app/client-secret', FAKE.clientSecret);
    s.to.failSetAt = 2;
    await expect(migrate(s.migration)).rejects.toThrow(/write number 2 failed/);
    expect(Object.fromEntries(s.to.items)).toEqual({ 'app/my-app/client-secret': FAKE.clientSecret });

    const again = stores();
    again.to.items.set('app/my-app/client-secret', FAKE.clientSecret);
    const result = await migrate(again.migration);
    expect(result.alreadyThere).toEqual(['app/my-app/client-secret']);
    expect(result.moved).not.toContain('app/my-app/client-secret');
  });

  it('leaves an old entry that changed during the migration in place, and says so', async () => {
    const s = stores();
    s.migration.recordNewStore = async () => {
      s.from.items.set('profile/shop-fr/refresh-token', 'Atzr|renewed-meanwhile');
    };
    const result = await migrate(s.migration);
    expect(result.leftInOldStore).toEqual([{ account: 'profile/shop-fr/refresh-token', reason: 'it changed during the migration' }]);
    expect(s.from.items.get('profile/shop-fr/refresh-token')).toBe('Atzr|renewed-meanwhile');
  });

  it('--dry-run plans from the lists alone and writes nothing', async () => {
    const s = stores();
    s.to.items.set('app/my-app/client-secret', 'whatever');
    s.from.items.set('profile/another-config/refresh-token', 'Atzr|not-ours');
    const plan = await planMigration(s.migration);
    expect(plan).toEqual({
      move: Object.keys(OLD).sort(),
      inNewStoreToo: ['app/my-app/client-secret'],
      notStored: ['profile/gone/refresh-token'],
    });
    expect(s.to.sets).toBe(0);
  });
});

describe('store commands in-process', () => {
  const appArgs = ['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'];

  it('store migrate --to file moves the secrets into the file and records "store": "file"', async () => {
    const secretsFile = join(mkdtempSync(join(tmpdir(), 'amz-token-secrets-')), 'secrets.json');
    const env = fakeEnvironment({ env: { AMZ_TOKEN_SECRETS_FILE: secretsFile } });
    expect((await env.run(appArgs, FAKE.clientSecret)).code).toBe(0);
    const migrated = await env.run(['store', 'migrate', '--to', 'file']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/app\/my-app\/client-secret\s+moved/);
    expect(JSON.parse(readFileSync(secretsFile, 'utf8'))).toEqual({ 'app/my-app/client-secret': FAKE.clientSecret });
    expect(env.store.items.size).toBe(0);
    expect(JSON.parse(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8')).store).toBe('file');
  });

  it('store migrate to the store in use is a usage error', async () => {
    const env = fakeEnvironment();
    const result = await env.run(['store', 'migrate', '--to', 'keychain']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the secrets are in keychain already (store keychain (the default)); nothing to move');
  });

  it.each([
    [['store', 'migrate', '--to', 'vault'], /--to must be keychain, file or helper:<name>/],
    [['store', 'migrate', '--to', 'helper:../../bin/sh'], /--to must be keychain, file or helper:<name>/],
    [['store', 'migrate'], /required option '--to <store>'/],
  ])('%j exits 2', async (argv, message) => {
    const result = await fakeEnvironment().run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('store show --json names the store, its source and its entries', async () => {
    const env = fakeEnvironment({ env: { AMZ_TOKEN_STORE: 'helper:pass' } });
    env.store.items.set('app/my-app/client-secret', FAKE.clientSecret);
    const shown = await env.run(['store', 'show', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ store: 'helper:pass', source: 'env', answers: true, entries: ['app/my-app/client-secret'], error: null });
    expect(shown.stdout).not.toContain(FAKE.clientSecret);
  });

  it('store show exits 8 when the store does not answer, and still says which store it is', async () => {
    const env = fakeEnvironment({
      store: async () => {
        throw new StoreUnavailableError('docker-credential-pass is not on PATH', 'install it: apt-get install golang-docker-credential-helpers pass');
      },
    });
    const shown = await env.run(['store', 'show']);
    expect(shown.code).toBe(8);
    expect(shown.stdout).toMatch(/^STORE\s+keychain$/m);
    expect(shown.stdout).toMatch(/^ANSWERS\s+no$/m);
    expect(shown.stderr).toContain('docker-credential-pass is not on PATH');
  });

  it('--no-input opens the store with prompts off, without touching the lazy streams', async () => {
    let opened: unknown;
    const env = fakeEnvironment({
      store: async (options?: unknown) => {
        opened = options;
        return new MemorySecretStore();
      },
    });
    const deps = Object.defineProperty({ ...env.deps }, 'stdin', {
      get() {
        throw new Error('process.stdin was created');
      },
    });
    const ctx = commandContext(deps, { json: false, quiet: false, color: false, input: false });
    await ctx.deps.secretStore();
    expect(opened).toEqual({ prompt: false });
    await commandContext(deps, { json: false, quiet: false, color: false, input: true }).deps.secretStore();
    expect(opened).toBeUndefined();
  });

  it('AMZ_TOKEN_STORE with an unknown value exits 2 naming the variable', async () => {
    const result = await fakeEnvironment({ env: { AMZ_TOKEN_STORE: 'vault' } }).run(['store', 'show']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/AMZ_TOKEN_STORE must be keychain, file or helper:<name>/);
  });
});
