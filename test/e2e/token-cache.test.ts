// The shared runtime cache of access tokens (src/secrets/token-cache.ts) end to end: the built
// CLI against the Amazon double and the real keychain, each test with a runtime folder of its own.
// Its modes (runtime, AMZ_TOKEN_CACHE=store, no XDG_RUNTIME_DIR), what it trusts (ownership, modes,
// links, identities), its keys (config folder, profile), what drops entries, one LWA call for
// processes refreshing at once, and that token's fast path decides exactly as the full path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { daysAgo, jobRig, type JobRig } from '../support/job-rig.js';

const JOBS_BUNDLE = resolve(import.meta.dirname, '../../dist/amz-token-jobs.cjs');
const NOBODY = 65534;

let h: JobRig;
beforeAll(async () => {
  requireTestKeyring();
  h = await jobRig();
});
afterAll(() => h?.close());

const refreshCalls = () => h.double.requests.filter((r) => r.path === '/auth/o2/token' && r.form?.grant_type === 'refresh_token').length;
const grantlessCalls = () => h.double.requests.filter((r) => r.path === '/auth/o2/token' && r.form?.grant_type === 'client_credentials').length;

/** A runtime folder of the test's own (as XDG_RUNTIME_DIR: 0700, the user's), and where amz-token keeps entries in it. */
function runtime(): { env: { XDG_RUNTIME_DIR: string }; cache: string; entries: () => string[] } {
  const base = mkdtempSync(join(tmpdir(), 'amz-token-runtime-'));
  const cache = join(base, 'amz-token');
  return { env: { XDG_RUNTIME_DIR: base }, cache, entries: () => readdirSync(cache).filter((name) => name.endsWith('.json')).sort() };
}

const token = (args: string[], env: Record<string, string | undefined>) => h.run(['token', ...args], env, { printsSecrets: true });

describe('the runtime cache', () => {
  it('keeps the token in one 0600 file of the user in a 0700 folder, not in the keychain; token, exec and env use it without asking LWA', async () => {
    const p = h.profileName('de');
    await h.addProfile(p);
    const rt = runtime();
    const before = refreshCalls();
    const first = await token(['--profile', p], rt.env);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stdout)).toMatch(/^Atza\|\S+$/);
    expect(refreshCalls()).toBe(before + 1);

    const folder = lstatSync(rt.cache);
    expect({ dir: folder.isDirectory(), mode: folder.mode & 0o777, uid: folder.uid }).toEqual({ dir: true, mode: 0o700, uid: process.getuid!() });
    const [entry, ...others] = rt.entries();
    expect(others).toEqual([]);
    const file = lstatSync(join(rt.cache, entry!));
    expect({ mode: file.mode & 0o777, uid: file.uid }).toEqual({ mode: 0o600, uid: process.getuid!() });
    const stored = JSON.parse(readFileSync(join(rt.cache, entry!), 'utf8'));
    expect(stored.accessToken).toBe(String(first.stdout));
    // The refresh token stays in the store; the access token does not go there.
    expect(readFileSync(join(rt.cache, entry!), 'utf8')).not.toContain('Atzr|');
    expect(await secretToolLookup(`profile/${p}/access-token`)).toBeNull();

    expect(String((await token(['--profile', p], rt.env)).stdout)).toBe(String(first.stdout));
    const job = await h.run(['exec', '--profile', p, '--', 'sh', '-c', 'test "$SP_API_ACCESS_TOKEN" = "$EXPECTED"'], { ...rt.env, EXPECTED: String(first.stdout) });
    expect(job.exitCode, String(job.stderr)).toBe(0);
    const env = await h.run(['env', '--profile', p, '--format', 'json'], rt.env, { printsSecrets: true });
    expect(JSON.parse(String(env.stdout)).SP_API_ACCESS_TOKEN).toBe(String(first.stdout));
    expect(refreshCalls()).toBe(before + 1);
  });

  it('grantless tokens too: cached per app and scope, dropped by app set-secret', async () => {
    const rt = runtime();
    const before = grantlessCalls();
    const args = ['--grantless', '--app', h.app, '--scope', 'notifications'];
    const first = await token(args, rt.env);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String((await token(args, rt.env)).stdout)).toBe(String(first.stdout));
    expect(grantlessCalls()).toBe(before + 1);
    expect(rt.entries()).toHaveLength(1);
    expect(await secretToolLookup(`app/${h.app}/grantless-token/notifications`)).toBeNull();

    // set-secret without a secret on stdin fails (exit 2) and drops nothing.
    const set = await h.run(['app', 'set-secret', h.app, '--secret-created', daysAgo(1)], rt.env);
    expect(set.exitCode).toBe(2);
    expect(rt.entries()).toHaveLength(1);
    const rotated = await h.s.run(['app', 'set-secret', h.app, '--secret-created', daysAgo(1)], { input: `${FAKE.clientSecret}\n`, env: rt.env });
    expect(rotated.exitCode, String(rotated.stderr)).toBe(0);
    expect(rt.entries()).toEqual([]);
    expect(String((await token(args, rt.env)).stdout)).not.toBe(String(first.stdout));
    expect(grantlessCalls()).toBe(before + 2);
  });

  it('AMZ_TOKEN_CACHE=store keeps access tokens in the keychain, as does a machine without XDG_RUNTIME_DIR; a bad value is exit 2', async () => {
    const p = h.profileName('store');
    await h.addProfile(p);
    const rt = runtime();
    const inStore = await token(['--profile', p], { ...rt.env, AMZ_TOKEN_CACHE: 'store' });
    expect(inStore.exitCode, String(inStore.stderr)).toBe(0);
    expect(JSON.parse((await secretToolLookup(`profile/${p}/access-token`))!).accessToken).toBe(String(inStore.stdout));
    expect(readdirSync(rt.env.XDG_RUNTIME_DIR)).toEqual([]);

    const noRuntime = await token(['--profile', p], { XDG_RUNTIME_DIR: undefined });
    expect(String(noRuntime.stdout)).toBe(String(inStore.stdout));

    const bad = await token(['--profile', p], { ...rt.env, AMZ_TOKEN_CACHE: 'tmpfs' });
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stdout)).toBe('');
    expect(String(bad.stderr)).toContain('AMZ_TOKEN_CACHE must be runtime or store');
  });
});

describe('what the cache trusts', () => {
  it('ignores and replaces an entry readable by others, of another user, a link, garbage, or written for another profile', async () => {
    const p = h.profileName('tamper');
    const other = h.profileName('other');
    await h.addProfile(p);
    await h.addProfile(other);
    const rt = runtime();
    const mine = String((await token(['--profile', p], rt.env)).stdout);
    const [entry] = rt.entries();
    const path = join(rt.cache, entry!);
    const planted = JSON.parse(readFileSync(path, 'utf8'));
    const plant = (text: string) => {
      rmSync(path, { force: true });
      writeFileSync(path, text, { mode: 0o600 });
    };
    const served = async () => String((await token(['--profile', p], rt.env)).stdout);
    let calls = refreshCalls();
    const expectRefreshed = () => {
      expect(refreshCalls(), 'the entry was trusted').toBe(++calls);
      const after = lstatSync(path);
      expect({ mode: after.mode & 0o777, uid: after.uid, link: after.isSymbolicLink() }).toEqual({ mode: 0o600, uid: process.getuid!(), link: false });
    };

    // A planted token in a file others may read: not served, replaced.
    plant(JSON.stringify({ ...planted, accessToken: 'Atza|planted-readable' }));
    chmodSync(path, 0o644);
    expect(await served()).not.toBe('Atza|planted-readable');
    expectRefreshed();

    // Another user's file (the test runs as root, so it can make one).
    plant(JSON.stringify({ ...planted, accessToken: 'Atza|planted-by-nobody' }));
    chownSync(path, NOBODY, NOBODY);
    expect(await served()).not.toBe('Atza|planted-by-nobody');
    expectRefreshed();

    // A link to a file with a token: never followed.
    const elsewhere = join(rt.env.XDG_RUNTIME_DIR, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify({ ...planted, accessToken: 'Atza|through-a-link' }), { mode: 0o600 });
    rmSync(path);
    symlinkSync(elsewhere, path);
    expect(await served()).not.toBe('Atza|through-a-link');
    expectRefreshed();

    // Garbage, and a truncated file.
    plant('{"accessToken": "Atza|half');
    expect(await served()).toMatch(/^Atza\|/);
    expectRefreshed();

    // The other profile's entry, under this profile's name: its identity does not match.
    const otherToken = String((await token(['--profile', other], rt.env)).stdout);
    calls += 1;
    const otherEntry = rt.entries().find((name) => name !== entry)!;
    renameSync(join(rt.cache, otherEntry), path);
    expect(await served()).not.toBe(otherToken);
    expectRefreshed();
    expect(mine).toMatch(/^Atza\|/);
  });

  it('makes a folder that others may read private again; a link or a file in its place is replaced; a folder of another user is not used (warning, the store instead)', async () => {
    const p = h.profileName('folder');
    await h.addProfile(p);

    const loose = runtime();
    mkdirSync(loose.cache, { mode: 0o755 });
    chmodSync(loose.cache, 0o755);
    expect((await token(['--profile', p], loose.env)).exitCode).toBe(0);
    expect(lstatSync(loose.cache).mode & 0o777).toBe(0o700);
    expect(loose.entries()).toHaveLength(1);

    const linked = runtime();
    const target = mkdtempSync(join(tmpdir(), 'amz-token-elsewhere-'));
    symlinkSync(target, linked.cache);
    expect((await token(['--profile', p], linked.env)).exitCode).toBe(0);
    expect(lstatSync(linked.cache).isDirectory()).toBe(true);
    expect(readdirSync(target)).toEqual([]);

    const foreign = runtime();
    mkdirSync(foreign.cache, { mode: 0o700 });
    chownSync(foreign.cache, NOBODY, NOBODY);
    const result = await token(['--profile', p], foreign.env);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toMatch(/belongs to another user .*caching the access token in the secret store instead/);
    expect(readdirSync(foreign.cache)).toEqual([]);
    expect(await secretToolLookup(`profile/${p}/access-token`)).not.toBeNull();
  });
});

describe('keys and invalidation', () => {
  it('another config folder (a copy) never gets this folder\'s token; a link to the folder is the same folder', async () => {
    const p = h.profileName('keys');
    await h.addProfile(p);
    const rt = runtime();
    const original = String((await token(['--profile', p], rt.env)).stdout);
    const calls = refreshCalls();

    const link = join(mkdtempSync(join(tmpdir(), 'amz-token-link-')), 'config');
    symlinkSync(h.s.configDir, link);
    expect(String((await token(['--profile', p], { ...rt.env, AMZ_TOKEN_CONFIG_DIR: link })).stdout)).toBe(original);
    expect(refreshCalls()).toBe(calls);

    const copy = join(mkdtempSync(join(tmpdir(), 'amz-token-copy-')), 'config');
    cpSync(h.s.configDir, copy, { recursive: true });
    const fromCopy = await token(['--profile', p], { ...rt.env, AMZ_TOKEN_CONFIG_DIR: copy });
    expect(fromCopy.exitCode, String(fromCopy.stderr)).toBe(0);
    expect(String(fromCopy.stdout)).not.toBe(original);
    expect(refreshCalls()).toBe(calls + 1);
    expect(rt.entries()).toHaveLength(2);
  });

  it('import --force of a new refresh token, a revoked refresh token and remove drop the profile\'s entries', async () => {
    const p = h.profileName('drop');
    const refreshToken = await h.addProfile(p);
    const rt = runtime();
    const first = String((await token(['--profile', p], rt.env)).stdout);
    expect(rt.entries()).toHaveLength(1);

    const renewed = h.double.issueRefreshToken(FAKE.clientId);
    const imported = await h.s.run(
      ['import', '--force', '--profile', p, '--app', h.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', daysAgo(0)],
      { input: `${renewed}\n`, env: rt.env },
    );
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    expect(rt.entries()).toEqual([]);
    h.double.revoke(refreshToken);
    const second = String((await token(['--profile', p], rt.env)).stdout);
    expect(second).not.toBe(first);
    expect(rt.entries()).toHaveLength(1);

    // Revoked at Amazon: --no-cache asks, gets invalid_grant (exit 4), and the entry goes too.
    h.double.revoke(renewed);
    const revoked = await token(['--profile', p, '--no-cache'], rt.env);
    expect(revoked.exitCode).toBe(4);
    expect(rt.entries()).toEqual([]);

    const again = h.double.issueRefreshToken(FAKE.clientId);
    await h.s.run(['import', '--force', '--profile', p, '--app', h.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3TESTSELLER01', '--authorized-at', daysAgo(0)], { input: `${again}\n`, env: rt.env });
    expect((await token(['--profile', p], rt.env)).exitCode).toBe(0);
    expect(rt.entries()).toHaveLength(1);
    const removed = await h.run(['remove', '--profile', p, '--yes'], rt.env);
    expect(removed.exitCode, String(removed.stderr)).toBe(0);
    expect(rt.entries()).toEqual([]);
  });
});

describe('processes refreshing at once', () => {
  it('six `token` processes with an empty cache make one LWA call between them and print the same token', async () => {
    const p = h.profileName('race');
    await h.addProfile(p);
    const rt = runtime();
    const before = refreshCalls();
    // A slow LWA, so that all six are waiting at once (on a slow machine they may not be: the next test shows the race without the lock).
    h.double.faults.delayMs = 1500;
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => token(['--profile', p], rt.env)));
      for (const result of results) expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(new Set(results.map((result) => String(result.stdout))).size).toBe(1);
    } finally {
      delete h.double.faults.delayMs;
    }
    expect(refreshCalls()).toBe(before + 1);
    expect(readdirSync(rt.cache).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });

  it('without the lock file (the same race, AMZ_TOKEN_CACHE=store) each process asks LWA: the count above is the lock\'s doing', async () => {
    const p = h.profileName('nolock');
    await h.addProfile(p);
    const before = refreshCalls();
    // LWA answers only once all three are asking: they raced, whatever the machine's speed.
    h.double.faults.gatherTokenRequests = 3;
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => token(['--profile', p], { AMZ_TOKEN_CACHE: 'store' })));
      for (const result of results) expect(result.exitCode, String(result.stderr)).toBe(0);
    } finally {
      delete h.double.faults.gatherTokenRequests;
    }
    expect(refreshCalls()).toBe(before + 3);
  });
});

describe("token's fast path decides as the full path", () => {
  /** The full path alone: the jobs bundle's main(), without bin/amz-token.js and its fast path. */
  const fullPath = (args: string[], env: Record<string, string | undefined>) =>
    execa('node', ['-e', `const { main, createRealDeps } = require(${JSON.stringify(JOBS_BUNDLE)}); main(${JSON.stringify(args)}, createRealDeps()).then((code) => process.stdout.write('', () => process.exit(code)));`], {
      env: { ...h.s.env, AMZ_TOKEN_LWA_URL: h.double.lwaUrl, HOME: h.s.configDir, ...env },
      reject: false,
    });
  const same = async (args: string[], env: Record<string, string | undefined>) => {
    const fast = await token(args.slice(1), env);
    const full = await fullPath(args, env);
    expect({ code: fast.exitCode, stdout: fast.stdout, stderr: fast.stderr }, args.join(' ')).toEqual({ code: full.exitCode, stdout: full.stdout, stderr: full.stderr });
    return fast;
  };

  it('same output, stderr and exit code: plain, --json, AMZ_TOKEN_PROFILE, --quiet, an expiring profile, no such profile, bad overrides, a loose or broken config.json', async () => {
    const p = h.profileName('fast');
    await h.addProfile(p);
    const soon = h.profileName('soon');
    // Authorized 350 days ago: 15 days left, inside the 30-day notice window.
    await h.addProfile(soon, { authorizedAt: daysAgo(350) });
    const rt = runtime();
    const env = rt.env;
    await token(['--profile', p], env);
    await token(['--profile', soon], env);
    const calls = refreshCalls();

    expect(String((await same(['token', '--profile', p], env)).stdout)).toMatch(/^Atza\|/);
    await same(['token', '--profile', p, '--json'], env);
    await same(['token', '--json', '-q'], { ...env, AMZ_TOKEN_PROFILE: p });
    expect(String((await same(['token', '--profile', soon], env)).stderr)).toContain(`run: amz-token renew --profile ${soon}`);
    await same(['token', '--profile', soon, '--quiet'], env);
    expect(refreshCalls(), 'every run above was served from the cache').toBe(calls);

    expect((await same(['token', '--profile', `${p}-ghost`], env)).exitCode).toBe(5);
    expect((await same(['token', '--profile', p], { ...env, AMZ_TOKEN_LWA_URL: 'not a url' })).exitCode).toBe(2);
    expect((await same(['token', '--profile', p], { ...env, AMZ_TOKEN_HTTP_TIMEOUT_MS: 'soon' })).exitCode).toBe(2);
    expect((await same(['token', '--profile', p], { ...env, AMZ_TOKEN_STORE: 'vault' })).exitCode).toBe(2);
    expect((await same(['token', '--profile', '-bad'], env)).exitCode).toBe(2);

    const config = join(h.s.configDir, 'config.json');
    const text = readFileSync(config, 'utf8');
    try {
      chmodSync(config, 0o644);
      const loose = await token(['--profile', p], env);
      expect(loose.exitCode).toBe(0);
      expect(String(loose.stderr)).toMatch(/readable by others/);
      writeFileSync(config, text.replace('"version": 1', '"version": 99'));
      expect((await same(['token', '--profile', p], env)).exitCode).toBe(2);
    } finally {
      writeFileSync(config, text, { mode: 0o600 });
      chmodSync(config, 0o600);
    }
    expect(refreshCalls()).toBe(calls);
  });
});
