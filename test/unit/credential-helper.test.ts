// The credential-helper protocol client against small fake helpers, one shell
// script per behaviour (test/support/credential-helpers/). The real
// docker-credential-pass and -secretservice are covered by test/e2e/store-*.test.ts.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentialHelperStore, helperEnvironment, scrubHelperOutput } from '../../src/secrets/credential-helper.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { FAKE } from '../support/fake-deps.js';

const HELPERS = resolve(import.meta.dirname, '../support/credential-helpers');

function fakeHelper(name: string, options: { prompt?: boolean; timeoutMs?: number; env?: Record<string, string>; path?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-helper-'));
  const env = { PATH: options.path ?? `${HELPERS}:${process.env.PATH}`, FAKE_HELPER_DIR: dir, ...options.env };
  // Generous: only the slow helper's test is meant to reach its timeout.
  const store = credentialHelperStore({ helper: name, env, prompt: options.prompt ?? true, timeoutMs: options.timeoutMs ?? 30_000 });
  return { store, dir };
}

async function storeError(promise: Promise<unknown>): Promise<StoreUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  const storeError = error as StoreUnavailableError;
  expect(storeError.exitCode).toBe(8);
  expect(storeError.message).not.toMatch(/\n/);
  return storeError;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(['secretservice-style', 'pass-style'])('a working helper (%s)', (name) => {
  it('stores, reads back, lists and erases an entry', async () => {
    const { store } = fakeHelper(name);
    await store.set('profile/shop-de/refresh-token', FAKE.refreshToken);
    await store.set('app/my-app/client-secret', FAKE.clientSecret);
    expect(await store.get('profile/shop-de/refresh-token')).toBe(FAKE.refreshToken);
    expect(await store.list()).toEqual(['app/my-app/client-secret', 'profile/shop-de/refresh-token']);
    await store.delete('profile/shop-de/refresh-token');
    expect(await store.get('profile/shop-de/refresh-token')).toBeNull();
    expect(await store.list()).toEqual(['app/my-app/client-secret']);
  });

  it('treats a missing entry as nothing stored, for get and erase alike', async () => {
    const { store } = fakeHelper(name);
    expect(await store.get('profile/nobody/refresh-token')).toBeNull();
    await expect(store.delete('profile/nobody/refresh-token')).resolves.toBeUndefined();
  });
});

describe('what the helper is given', () => {
  it('stores amz-token://<account> with a Username without "/" (pass builds a file path from it)', async () => {
    const { store, dir } = fakeHelper('secretservice-style');
    await store.set('profile/shop-de/refresh-token', FAKE.refreshToken);
    const [entry] = readdirSync(join(dir, 'entries'));
    expect(JSON.parse(readFileSync(join(dir, 'entries', entry!), 'utf8'))).toEqual({
      ServerURL: 'amz-token://profile/shop-de/refresh-token',
      Username: 'profile:shop-de:refresh-token',
      Secret: FAKE.refreshToken,
    });
  });

  it('lists only amz-token entries, not the docker logins sharing the store', async () => {
    const { store, dir } = fakeHelper('secretservice-style');
    await store.set('app/my-app/client-secret', FAKE.clientSecret);
    writeFileSync(join(dir, 'entries', 'docker-hub'), '{"ServerURL":"https://index.docker.io/v1/","Username":"me","Secret":"x"}');
    expect(await store.list()).toEqual(['app/my-app/client-secret']);
  });

  it('passes the secret on stdin only: argv is the action, and the environment holds no secret', async () => {
    const { store, dir } = fakeHelper('inspect', { env: { AMZ_TOKEN_REFRESH_TOKEN: FAKE.refreshToken, AMZ_TOKEN_CLIENT_SECRET: FAKE.clientSecret } });
    await store.set('app/my-app/client-secret', FAKE.clientSecret).catch(() => {});
    expect(readFileSync(join(dir, 'argv'), 'utf8')).toBe('store\n');
    expect(readFileSync(join(dir, 'stdin'), 'utf8')).toContain(`"Secret":"${FAKE.clientSecret}"`);
    const env = readFileSync(join(dir, 'env'), 'utf8');
    expect(env).not.toContain(FAKE.clientSecret);
    expect(env).not.toContain(FAKE.refreshToken);
  });

  it('with --no-input, runs the helper where gpg cannot prompt: no display, no GPG_TTY, pass told --pinentry-mode error', async () => {
    const env = { DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0', GPG_TTY: '/dev/pts/9', PASSWORD_STORE_GPG_OPTS: '--armor' };
    const { store, dir } = fakeHelper('inspect', { prompt: false, env });
    await store.list();
    const seen = readFileSync(join(dir, 'env'), 'utf8');
    expect(seen).not.toMatch(/^(DISPLAY|WAYLAND_DISPLAY|GPG_TTY)=/m);
    expect(seen).toMatch(/^PASSWORD_STORE_GPG_OPTS=--armor --pinentry-mode error$/m);
    expect(seen).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
  });

  it('may prompt without --no-input: the display and terminal stay', () => {
    const env = helperEnvironment({ env: { DISPLAY: ':0', GPG_TTY: '/dev/pts/9', AMZ_TOKEN_REFRESH_TOKEN: FAKE.refreshToken }, prompt: true });
    expect(env).toMatchObject({ DISPLAY: ':0', GPG_TTY: '/dev/pts/9' });
    expect(env.AMZ_TOKEN_REFRESH_TOKEN).toBeUndefined();
    expect(env.PASSWORD_STORE_GPG_OPTS).toBeUndefined();
  });
});

describe('a helper that fails', () => {
  it('exits 8 naming the helper and quoting its first line, without the secret it echoed', async () => {
    const { store } = fakeHelper('failing');
    const error = await storeError(store.set('profile/shop-de/refresh-token', FAKE.refreshToken));
    expect(error.message).toMatch(/^docker-credential-failing store failed \(exit 1\): exit status 2: gpg: decryption failed: No secret key/);
    expect(error.message).not.toContain(FAKE.refreshToken);
    expect(error.message).not.toContain('second line');
    expect(error.hint).toContain('docker-credential-failing list');
    const read = await storeError(store.get('profile/shop-de/refresh-token'));
    expect(read.message).toContain('docker-credential-failing get failed');
  });

  it('exits 8 when the output is not the protocol JSON', async () => {
    const { store } = fakeHelper('garbage');
    const read = await storeError(store.get('app/a/client-secret'));
    expect(read.message).toBe('docker-credential-garbage answered get with something other than {"ServerURL","Username","Secret"}');
    // What a successful get printed is not quoted: a broken helper may print the bare secret there.
    expect(read.message).not.toContain('<html>');
    expect((await storeError(store.list())).message).toContain('answered list with something other than a JSON object');
  });

  it('stops reading a helper that prints without end, and kills it', async () => {
    const { store } = fakeHelper('flood');
    expect((await storeError(store.get('app/a/client-secret'))).message).toContain('printed more than 1 MiB');
  });

  it('kills a helper that never answers at the timeout, with everything it started', async () => {
    const { store, dir } = fakeHelper('slow', { timeoutMs: 500 });
    const error = await storeError(store.get('app/a/client-secret'));
    expect(error.message).toBe('docker-credential-slow did not answer get within 500 ms');
    expect(error.hint).toContain('passphrase');
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    // SIGKILL went to the whole group at once; the kernel reaps it right after.
    for (let i = 0; i < 200 && alive(child); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive(child)).toBe(false);
  });

  it('exits 8 naming the binary and the Debian package when the helper is not on PATH', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'amz-token-empty-path-'));
    const pass = await storeError(fakeHelper('pass', { path: empty }).store.list());
    expect(pass.message).toBe('docker-credential-pass is not on PATH');
    expect(pass.hint).toContain('golang-docker-credential-helpers');
    const other = await storeError(fakeHelper('vault', { path: empty }).store.get('app/a/client-secret'));
    expect(other.message).toBe('docker-credential-vault is not on PATH');
    expect(other.hint).toContain('put docker-credential-vault on PATH');
  });

  it('exits 8 when the helper on PATH cannot be run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-noexec-'));
    writeFileSync(join(dir, 'docker-credential-noexec'), '#!/bin/sh\necho {}\n');
    chmodSync(join(dir, 'docker-credential-noexec'), 0o644);
    const error = await storeError(fakeHelper('noexec', { path: dir }).store.list());
    expect(error.message).toMatch(/^cannot run docker-credential-noexec \(EACCES\)$/);
  });
});

describe('scrubbing what a helper says', () => {
  it.each([
    [`failed: ${FAKE.refreshToken} rejected`, 'failed: *** rejected'],
    [`failed: ${FAKE.clientSecret}`, 'failed: ***'],
    ['{"ServerURL":"amz-token://x","Username":"u","Secret":"hunter2 with spaces"}', '{"ServerURL":"amz-token://x","Username":"u","Secret":"***"}'],
    ['vault said s.6PyvwAn3X4qJ9zT0uFfWb1sQkLm2RtZc8Y7 expired', 'vault said *** expired'],
    ['bell\u0007 and escape\u001b[2J', 'bell? and escape?[2J'],
    ['gpg: decryption failed: No secret key', 'gpg: decryption failed: No secret key'],
  ])('%j becomes %j', (line, expected) => {
    expect(scrubHelperOutput(line)).toBe(expected);
  });

  it('removes the exact secret of the call, whatever it looks like', () => {
    expect(scrubHelperOutput('could not store hunter2', 'hunter2')).toBe('could not store ***');
  });
});

describe('the fake helpers themselves', () => {
  it('keep their store in FAKE_HELPER_DIR (so the tests above prove the client, not a leftover)', async () => {
    const { store, dir } = fakeHelper('pass-style');
    expect(existsSync(join(dir, 'entries'))).toBe(false);
    await store.set('app/a/client-secret', FAKE.clientSecret);
    expect(readdirSync(join(dir, 'entries'))).toHaveLength(1);
  });
});
