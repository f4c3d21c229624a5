// The built bundles keep start-up light: `--help` and offline `status` load no
// module file besides dist/amz-token.cjs, and none of the heavy built-ins or
// packages that only other commands need; `token` and `exec` with a cached
// access token (real keychain) load the jobs bundle alone, and no HTTP client; with a token in the
// runtime cache, bin/amz-token.js serves them from the fast path without either bundle; `--help`
// to a pipe prints the text rendered at build time.
// (What this buys is measured by `npm run bench`; no test here depends on timing.)
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa as run } from 'execa';
import { requireTestKeyring, sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { isoFromNow } from '../support/dates.js';

const DIST = resolve(import.meta.dirname, '../../dist');
const BUNDLE = join(DIST, 'amz-token.cjs');
const JOBS_BUNDLE = join(DIST, 'amz-token-jobs.cjs');

/** Runs a bundle's main() in a fresh node and reports what that process loaded. */
async function loadedBy(args: string[], configDir: string, env: Record<string, string | undefined> = {}, bundle = BUNDLE): Promise<{ files: string[]; builtins: string[]; code: number }> {
  const report = join(mkdtempSync(join(tmpdir(), 'amz-token-loaded-')), 'report.json');
  const program = `
const { main, createRealDeps } = require(${JSON.stringify(bundle)});
main(${JSON.stringify(args)}, createRealDeps()).then((code) => {
  require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({
    code,
    files: Object.keys(require.cache),
    builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
  }));
});`;
  // All three streams /dev/null: a pipe or a terminal would itself load node:net or node:tty.
  await execa('node', ['-e', program], { env: { AMZ_TOKEN_CONFIG_DIR: configDir, NO_COLOR: '1', ...env }, stdio: 'ignore' });
  return JSON.parse(readFileSync(report, 'utf8'));
}

/** Writes a runtime-cache entry for the profile with the cache's own code, as `token` would have after a refresh. */
async function seedRuntimeEntry(configDir: string, profile: string, env: Record<string, string>, accessToken: string): Promise<void> {
  const { loadConfig } = await import('../../src/config/config.js');
  const cache = await import('../../src/secrets/token-cache.js');
  const config = await loadConfig(configDir);
  const dir = cache.runtimeCacheDir(env)!;
  expect(cache.ensureCacheFolder(dir)).toEqual({ ok: true });
  const key = cache.profileEntryKey(env, cache.realConfigDir(configDir), config, profile, config.profiles[profile]!, env.AMZ_TOKEN_LWA_URL!);
  cache.writeEntry(dir, key, { accessToken, expiresAt: new Date(Date.now() + 59 * 60 * 1000) });
}

/** The built-in modules that `node -e 0`'s own start-up loads, on the Node under test. */
async function bareNodeBuiltins(): Promise<string[]> {
  const { stdout } = await execa('node', ['-e', "console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))))"]);
  return JSON.parse(stdout) as string[];
}

describe('the bundle at start-up', () => {
  // --format prometheus too: cron runs it every few minutes for node_exporter.
  it.each([[['--help']], [['status']], [['status', '--json']], [['status', '--format', 'prometheus']], [['status', '--no-input']]])('%j loads only the bundle, and no network, crypto, process or keychain module', async (args) => {
    const s = sandbox();
    writeConfig(s.configDir, {
      apps: { 'my-app': { clientSecretCreatedAt: isoFromNow(-60) } },
      profiles: { 'shop-de': { expiresAt: isoFromNow(200) } },
    });
    const { files, builtins, code } = await loadedBy(args, s.configDir);
    expect(code).toBe(0);
    expect(files.filter((f) => f !== BUNDLE && !f.endsWith('[eval]'))).toEqual([]);
    for (const heavy of ['child_process', 'crypto', 'http', 'https', 'net', 'tls', 'readline', 'tty', 'fs/promises', 'timers/promises']) expect(builtins).not.toContain(heavy);
  });
});

describe('a cached access token at start-up', () => {
  it.each([[['token']], [['exec', '--', 'true']]])('%j with a cached token in the real keychain loads no HTTP client (lwa.ts, http, https, tls)', async (args) => {
    requireTestKeyring();
    const s = sandbox();
    const profile = `${s.prefix}-de`;
    writeConfig(s.configDir, {
      apps: { 'my-app': { clientSecretCreatedAt: isoFromNow(-60) } },
      profiles: { [profile]: { expiresAt: isoFromNow(200) } },
    });
    const cached = JSON.stringify({ accessToken: 'Atza|cached-for-the-bundle-test', expiresAt: new Date(Date.now() + 59 * 60 * 1000).toISOString() });
    await run('secret-tool', ['store', '--label', 'amz-token test', 'service', 'amz-token', 'username', `profile/${profile}/access-token`], { input: cached });
    const keychain = { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR, PATH: process.env.PATH };
    // No LWA URL that could answer: a refresh would fail, so exit 0 proves the cache was used.
    // AMZ_TOKEN_CACHE=store: the token in the keychain, as before the runtime cache (the fast path's own test is below).
    const { files, builtins, code } = await loadedBy(args, s.configDir, { ...keychain, AMZ_TOKEN_CACHE: 'store', AMZ_TOKEN_PROFILE: profile, AMZ_TOKEN_LWA_URL: 'http://127.0.0.1:9/unreachable' }, JOBS_BUNDLE);
    expect(code).toBe(0);
    // The keychain binding is the one package it loads.
    expect(files.filter((f) => f !== JOBS_BUNDLE && !f.endsWith('[eval]') && !f.includes('/node_modules/@napi-rs/keyring'))).toEqual([]);
    for (const heavy of ['http', 'https', 'tls', 'dns', 'zlib', 'crypto']) expect(builtins).not.toContain(heavy);
    if (args[0] === 'token') expect(builtins).not.toContain('child_process');
    // The keychain binding and child_process come in by require(), not import(): Node's ES module loader never starts
    // (Node 24 loads its translators at bootstrap, before any code of ours: only what bare Node does not load counts).
    const bare = await bareNodeBuiltins();
    for (const esm of ['internal/modules/esm/translators', 'internal/deps/cjs-module-lexer/lexer']) {
      if (!bare.includes(esm)) expect(builtins).not.toContain(esm);
    }
    expect(bare, 'the bare Node run saw no built-ins: the comparison would prove nothing').toContain('fs');
  });
});

describe('bin/amz-token.js', () => {
  /** The files of dist/ that the executable loads for argv (a preloaded module lists them at exit). */
  async function distFilesFor(args: string[]): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-loaded-'));
    const preload = join(dir, 'report.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'report.json'))}, JSON.stringify(Object.keys(require.cache))));\n`);
    await execa('node', ['--require', preload, join(DIST, '../bin/amz-token.js'), ...args], { env: { AMZ_TOKEN_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' }, reject: false, stdio: 'ignore' });
    const files = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as string[];
    return files.filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length + 1)).sort();
  }

  it.each([[['token', '--help']], [['--json', 'exec', '--help']], [['env', '--help']]])('%j loads the jobs bundle, not the whole CLI', async (args) => {
    expect(await distFilesFor(args)).toEqual(['amz-token-jobs.cjs', 'bundle-choice.cjs']);
  });

  it.each([[['status']], [['help', 'token']], [['--version']], [['--help', 'status']]])('%j loads the whole CLI', async (args) => {
    expect(await distFilesFor(args)).toEqual(['amz-token.cjs', 'bundle-choice.cjs']);
  });

  it('--help to a pipe or /dev/null prints the text rendered at build time, byte for byte what the whole CLI renders, and loads no bundle', async () => {
    // stdio 'ignore' is /dev/null.
    expect(await distFilesFor(['--help'])).toEqual(['bundle-choice.cjs']);
    const bin = join(DIST, '../bin/amz-token.js');
    const piped = await execa('node', [bin, '--help'], { stripFinalNewline: false });
    const short = await execa('node', [bin, '-h'], { stripFinalNewline: false });
    const rendered = await execa('node', ['-e', `const { main, createRealDeps } = require(${JSON.stringify(BUNDLE)}); main(['--help'], createRealDeps())`], { stripFinalNewline: false });
    expect(piped.stdout).toMatch(/^Usage: amz-token /);
    expect(piped.stdout).toBe(rendered.stdout);
    expect(short.stdout).toBe(rendered.stdout);
    expect(piped.exitCode).toBe(0);
  });

  it('--help at a terminal prints what the whole CLI renders at its width and colour setting, narrow and wide, and loads no bundle for up to 511 columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-help-'));
    const bin = join(DIST, '../bin/amz-token.js');
    // What the executable loads (a preloaded module lists it at exit), and the whole CLI's own rendering.
    const preload = join(dir, 'report.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(process.env.REPORT, JSON.stringify(Object.keys(require.cache))));\n`);
    const wholeCli = join(dir, 'whole-cli.cjs');
    writeFileSync(wholeCli, `const { main, createRealDeps } = require(${JSON.stringify(BUNDLE)});\nmain(['--help'], createRealDeps()).then((code) => process.stdout.write('', () => process.exit(code)));\n`);
    /** stdout of `node args` on a pseudo-terminal `columns` wide (script(1)); -onlcr leaves the newlines as written. */
    const onTerminal = async (columns: number, args: string[], env: Record<string, string | undefined>) => {
      const command = `stty cols ${columns} rows 40 -onlcr && exec node ${args.map((a) => `'${a}'`).join(' ')}`;
      const result = await execa('script', ['-qec', command, '/dev/null'], { env: { AMZ_TOKEN_CONFIG_DIR: join(dir, 'config'), NO_COLOR: undefined, FORCE_COLOR: undefined, CLICOLOR_FORCE: undefined, TERM: 'xterm-256color', ...env }, stdin: 'ignore', stripFinalNewline: false, reject: false });
      expect(result.exitCode, String(result.stdout)).toBe(0);
      return String(result.stdout);
    };
    const cases: [number, Record<string, string | undefined>][] = [
      [0, {}], [20, {}], [45, {}], [71, {}], [80, {}], [100, {}], [133, {}], [511, {}], [600, {}],
      [60, { NO_COLOR: '1' }], [80, { NO_COLOR: '1' }], [100, { FORCE_COLOR: '1' }], [90, { TERM: 'dumb' }],
    ];
    const results = await Promise.all(
      cases.map(async ([columns, env], i) => {
        const report = join(dir, `report-${i}.json`);
        const fast = await onTerminal(columns, ['--require', preload, bin, '--help'], { ...env, REPORT: report });
        const whole = await onTerminal(columns, [wholeCli], env);
        const loaded = (JSON.parse(readFileSync(report, 'utf8')) as string[]).filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length + 1)).sort();
        return { columns, env, fast, whole, loaded };
      }),
    );
    for (const { columns, env, fast, whole, loaded } of results) {
      expect(whole, `the whole CLI at ${columns} columns`).toMatch(/^Usage: amz-token /);
      expect(fast, `${columns} columns, ${JSON.stringify(env)}`).toBe(whole);
      // Wider than the texts rendered at build time: the whole CLI renders it.
      expect(loaded, `${columns} columns`).toEqual(columns < 512 ? ['bundle-choice.cjs', 'help-widths.cjs', 'help-widths.json'] : ['amz-token.cjs', 'bundle-choice.cjs', 'help-widths.cjs', 'help-widths.json']);
    }
    // The width matters (else this would compare one text with itself): narrower wraps more, below
    // 71 columns only the description wraps (commander leaves a list unwrapped with under 40 columns
    // for its descriptions), below 40 nothing does.
    const at = (columns: number) => results.find((r) => r.columns === columns)!.fast;
    expect(at(71).split('\n').length).toBeGreaterThan(at(100).split('\n').length);
    expect(at(80)).toBe(readFileSync(join(DIST, 'help.txt'), 'utf8'));
    expect(at(20)).toBe(at(0));
    expect(at(0)).not.toBe(at(45));
  });

  it.each([[['token']], [['exec', '--', 'true']]])('%j with a token in the runtime cache loads the fast path alone: no bundle, no keychain, no HTTP client', async (args) => {
    const s = sandbox();
    const profile = `${s.prefix}-de`;
    const day = 24 * 60 * 60 * 1000;
    writeConfig(s.configDir, {
      apps: { 'my-app': { clientSecretCreatedAt: new Date(Date.now() - 10 * day).toISOString() } },
      profiles: { [profile]: { expiresAt: new Date(Date.now() + 300 * day).toISOString() } },
    });
    // No LWA URL that could answer and no keychain: exit 0 and the token prove the entry was used.
    const env = { XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'amz-token-run-')), AMZ_TOKEN_LWA_URL: 'http://127.0.0.1:9/unreachable', AMZ_TOKEN_PROFILE: profile, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    await seedRuntimeEntry(s.configDir, profile, env, 'Atza|from-the-runtime-cache');
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-loaded-'));
    const preload = join(dir, 'report.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'report.json'))}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)) })));\n`,
    );
    const result = await execa('node', ['--require', preload, join(DIST, '../bin/amz-token.js'), ...args], { env: { AMZ_TOKEN_CONFIG_DIR: s.configDir, NO_COLOR: '1', ...env }, reject: false, stdin: 'ignore' });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toBe(args[0] === 'token' ? 'Atza|from-the-runtime-cache' : '');
    const { files, builtins } = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { files: string[]; builtins: string[] };
    expect(files.filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length + 1)).sort()).toEqual(['bundle-choice.cjs', 'fast-path.cjs']);
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    for (const heavy of ['http', 'https', 'tls', 'crypto']) expect(builtins).not.toContain(heavy);
    if (args[0] === 'token') for (const heavy of ['child_process', 'net', 'tty']) expect(builtins).not.toContain(heavy);
  });

  it("keeps V8's compiled code in $XDG_CACHE_HOME/amz-token/compile-cache where Node has the API (22.1+), and runs alike where it cannot write there", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-cache-'));
    const bin = join(DIST, '../bin/amz-token.js');
    const version = (cacheHome: string) => execa('node', [bin, '--version'], { env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: undefined }, reject: false });
    const first = await version(join(dir, 'cache'));
    expect(first.exitCode).toBe(0);
    const cacheDir = join(dir, 'cache', 'amz-token', 'compile-cache');
    // @types/node is Node 20's, which has no enableCompileCache: asked of the running Node instead.
    const hasApi = typeof ((await import('node:module')) as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const written = existsSync(cacheDir) ? readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
    if (hasApi) expect(written.length, 'no compiled code was kept').toBeGreaterThan(0);
    else expect(written, 'Node without enableCompileCache: nothing to keep').toEqual([]);
    // A file where the folder should be: no cache, same answer.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const blocked = await version(join(dir, 'not-a-folder'));
    expect({ code: blocked.exitCode, stdout: blocked.stdout, stderr: blocked.stderr }).toEqual({ code: 0, stdout: first.stdout, stderr: '' });
  });
});

