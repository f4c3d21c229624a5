// End to end, the team workflow of the README with the real parts: two
// operators with their own gpg keys share one pass store (docker-credential-pass,
// pass, gnupg) and one config folder through bare git repositories. Operator A
// moves the secrets from the keychain into pass; operator B, with only B's key
// and no keychain at all, uses them, rotates a token, and A picks it up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BIN, requireTestKeyring, secretToolLookup } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

beforeAll(() => requireTestKeyring());

const SELLER = 'A3TESTSELLER01';
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };

interface Operator {
  name: string;
  home: string;
  env: Record<string, string> & { AMZ_TOKEN_CONFIG_DIR: string; PASSWORD_STORE_DIR: string };
  fingerprint: string;
  /** Runs a tool (gpg, pass, git) as this operator. */
  sh(file: string, args: string[], input?: string): Promise<Result>;
  /** Runs amz-token as this operator, against the Amazon double. */
  amz(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<Result>;
}

const operators: Operator[] = [];
const outputs: string[] = [];
let root: string;
let double: AmazonDouble;

/** An operator with a fresh gpg key; `pinentry` makes it a passphrase-protected key and names gpg-agent's pinentry program. */
async function operator(name: string, options: { passphrase?: string; pinentry?: string } = {}): Promise<Operator> {
  const home = join(root, name);
  mkdirSync(join(home, 'gnupg'), { recursive: true, mode: 0o700 });
  // s2k-count: the smallest protection work factor, or protecting the key takes seconds on a loaded machine.
  if (options.pinentry) writeFileSync(join(home, 'gnupg', 'gpg-agent.conf'), `pinentry-program ${options.pinentry}\ns2k-count 65536\n`);
  const env = {
    HOME: home,
    GNUPGHOME: join(home, 'gnupg'),
    PASSWORD_STORE_DIR: join(home, 'pass'),
    AMZ_TOKEN_CONFIG_DIR: join(home, 'config'),
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: `${name}@example.test`,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: `${name}@example.test`,
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
    TZ: 'UTC',
  };
  const sh = async (file: string, args: string[], input = '') => {
    const result = await execa(file, args, { env, input, reject: false, timeout: 60_000 });
    expect(result.exitCode, `${file} ${args.join(' ')}: ${String(result.stderr)}`).toBe(0);
    return result;
  };
  const amz = async (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => {
    const result = await execa('node', [BIN, ...args], {
      env: { ...env, AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin, ...options.env },
      input: options.input ?? '',
      reject: false,
      timeout: 60_000,
    });
    outputs.push(String(result.stdout), String(result.stderr));
    return result;
  };
  // A batch-generated key, without a passphrase unless asked for, as a CI runner would have.
  await sh('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', options.passphrase ?? '', '--quick-gen-key', `${name} <${name}@example.test>`, 'future-default', 'default', 'never']);
  const listed = await sh('gpg', ['--batch', '--with-colons', '--list-secret-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(String(listed.stdout))![1]!;
  const op = { name, home, env, fingerprint, sh, amz };
  operators.push(op);
  return op;
}

/** Each operator imports the other's public key and certifies it locally, as teammates do. */
async function introduce(a: Operator, b: Operator): Promise<void> {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const exported = await from.sh('gpg', ['--batch', '--armor', '--export', from.fingerprint]);
    await to.sh('gpg', ['--batch', '--import'], String(exported.stdout));
    await to.sh('gpg', ['--batch', '--yes', '--quick-lsign-key', from.fingerprint]);
  }
}

/** Every byte a path holds: files (recursively) and, for git repositories, every object inflated. */
async function everything(path: string): Promise<string> {
  const texts: string[] = [];
  const walk = (p: string) => {
    const info = lstatSync(p);
    if (info.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else if (info.isFile()) texts.push(readFileSync(p, 'latin1'));
  };
  walk(path);
  const gitDirs = [join(path, '.git'), path].filter((dir) => {
    try {
      return statSync(join(dir, 'objects')).isDirectory();
    } catch {
      return false;
    }
  });
  for (const gitDir of gitDirs) {
    const objects = await execa('git', ['--git-dir', gitDir, 'cat-file', '--batch-all-objects', '--batch'], { encoding: 'latin1', reject: false });
    expect(objects.exitCode).toBe(0);
    texts.push(String(objects.stdout));
  }
  return texts.join('\n');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'amz-token-team-'));
  double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: SELLER,
  });
});

afterAll(async () => {
  await double?.close();
  // Each GNUPGHOME started its own gpg-agent: stop them, by their home, not by name.
  for (const op of operators) await execa('gpgconf', ['--kill', 'gpg-agent'], { env: op.env, reject: false });
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a team sharing secrets through pass and git', () => {
  it('A migrates from the keychain to pass; B, with only its own key and no keychain, checks, gets a token, rotates it; A uses the rotation; no secret in plain text anywhere', async () => {
    const [a, b] = [await operator('operator-a'), await operator('operator-b')];
    await introduce(a, b);
    const remotes = join(root, 'remotes');
    await a.sh('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(remotes, 'pass.git')]);
    await a.sh('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(remotes, 'config.git')]);
    // Names unique to this run: A starts on the machine's keychain, which other test files share.
    const tag = `team${process.pid}x${Date.now().toString(36)}`;
    const [app, profile] = [`${tag}-app`, `${tag}-shop`];
    const secrets = [FAKE.clientSecret];

    // A: the usual start, on the keychain.
    const firstToken = double.issueRefreshToken(FAKE.clientId);
    secrets.push(firstToken);
    expect((await a.amz(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret })).exitCode).toBe(0);
    const imported = await a.amz(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', new Date().toISOString().slice(0, 10)], { input: firstToken });
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    // In the store (AMZ_TOKEN_CACHE=store), not the runtime cache: the migration below moves it too.
    const cached = await a.amz(['token', '--profile', profile], { env: { AMZ_TOKEN_CACHE: 'store' } });
    expect(cached.exitCode, String(cached.stderr)).toBe(0);
    secrets.push(String(cached.stdout).trim());
    expect(await secretToolLookup(`profile/${profile}/refresh-token`)).toBe(firstToken);

    // A: a pass store encrypted to both keys, in git, and the migration.
    await a.sh('pass', ['init', a.fingerprint, b.fingerprint]);
    await a.sh('pass', ['git', 'init']);
    await a.sh('pass', ['git', 'remote', 'add', 'origin', join(remotes, 'pass.git')]);
    const migrated = await a.amz(['store', 'migrate', '--to', 'helper:pass']);
    expect(migrated.exitCode, String(migrated.stderr)).toBe(0);
    expect(String(migrated.stdout)).toMatch(new RegExp(`profile/${profile}/access-token\\s+moved`));
    expect(JSON.parse(readFileSync(join(a.env.AMZ_TOKEN_CONFIG_DIR, 'config.json'), 'utf8')).store).toBe('helper:pass');
    for (const account of [`app/${app}/client-secret`, `profile/${profile}/refresh-token`, `profile/${profile}/access-token`]) {
      expect(await secretToolLookup(account), `${account} left in the keychain`).toBeNull();
    }
    await a.sh('pass', ['git', 'push', '--quiet', '-u', 'origin', 'HEAD:main']);
    await a.sh('git', ['-C', a.env.AMZ_TOKEN_CONFIG_DIR, 'init', '--quiet', '--initial-branch=main']);
    await a.sh('git', ['-C', a.env.AMZ_TOKEN_CONFIG_DIR, 'add', 'config.json']);
    await a.sh('git', ['-C', a.env.AMZ_TOKEN_CONFIG_DIR, 'commit', '--quiet', '-m', 'amz-token: secrets in pass']);
    await a.sh('git', ['-C', a.env.AMZ_TOKEN_CONFIG_DIR, 'push', '--quiet', '-u', join(remotes, 'config.git'), 'HEAD:main']);

    // B: clones both, sets nothing else; the config's "store" chooses pass. No keychain at all.
    await b.sh('git', ['clone', '--quiet', join(remotes, 'pass.git'), b.env.PASSWORD_STORE_DIR]);
    await b.sh('git', ['clone', '--quiet', join(remotes, 'config.git'), b.env.AMZ_TOKEN_CONFIG_DIR]);
    const shown = await b.amz(['store', 'show', '--json'], { env: NO_KEYCHAIN });
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    expect(JSON.parse(String(shown.stdout))).toMatchObject({ store: 'helper:pass', source: 'config', answers: true });
    const checked = await b.amz(['status', '--check', '--no-input', '--profile', profile, '--json'], { env: NO_KEYCHAIN });
    expect(checked.exitCode, String(checked.stderr)).toBe(0);
    expect(JSON.parse(String(checked.stdout)).profiles[0].check.result).toBe('ok');
    const tokenB = await b.amz(['token', '--profile', profile], { env: NO_KEYCHAIN });
    expect(tokenB.exitCode, String(tokenB.stderr)).toBe(0);
    expect(String(tokenB.stdout)).toMatch(/^Atza\|\S+\n?$/);
    // B runs a job with the credentials, from the shared store: an access token by default
    // (\x7c is "|": amz-token refuses anything token-shaped in its arguments)...
    const job = await b.amz(
      ['exec', '--no-input', '--profile', profile, '--', 'node', '-e', 'process.exit(/^Atza\\x7c/.test(process.env.SP_API_ACCESS_TOKEN ?? "") && !process.env.LWA_REFRESH_TOKEN ? 0 : 3)'],
      { env: NO_KEYCHAIN },
    );
    expect(job.exitCode, String(job.stderr)).toBe(0);
    expect(String(job.stdout)).toBe('');
    // ...and A's refresh token with --lwa-credentials (the job compares a hash: no secret in an argument or the output).
    const sha = (value: string) => createHash('sha256').update(value).digest('hex');
    const lwaJob = await b.amz(
      ['exec', '--no-input', '--lwa-credentials', '--profile', profile, '--', 'node', '-e', 'process.exit(require("node:crypto").createHash("sha256").update(process.env.LWA_REFRESH_TOKEN ?? "").digest("hex") === process.env.EXPECTED ? 0 : 3)'],
      { env: { ...NO_KEYCHAIN, EXPECTED: sha(firstToken) } },
    );
    expect(lwaJob.exitCode, String(lwaJob.stderr)).toBe(0);

    // B: the seller re-authorized; B imports the rotated token and pushes (pass committed it already).
    const rotated = double.issueRefreshToken(FAKE.clientId);
    secrets.push(rotated);
    const reimported = await b.amz(['import', '--force', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', new Date().toISOString().slice(0, 10)], { input: rotated, env: NO_KEYCHAIN });
    expect(reimported.exitCode, String(reimported.stderr)).toBe(0);
    await b.sh('pass', ['git', 'push', '--quiet']);
    await b.sh('git', ['-C', b.env.AMZ_TOKEN_CONFIG_DIR, 'commit', '--quiet', '-am', 'amz-token: rotated token']);
    await b.sh('git', ['-C', b.env.AMZ_TOKEN_CONFIG_DIR, 'push', '--quiet']);

    // A: pulls, and uses the rotated token (the old one is revoked, and B's import dropped the cached access token).
    double.revoke(firstToken);
    await a.sh('pass', ['git', 'pull', '--quiet', 'origin', 'main']);
    await a.sh('git', ['-C', a.env.AMZ_TOKEN_CONFIG_DIR, 'pull', '--quiet', join(remotes, 'config.git'), 'main']);
    const tokenA = await a.amz(['token', '--profile', profile]);
    expect(tokenA.exitCode, String(tokenA.stderr)).toBe(0);
    secrets.push(String(tokenA.stdout).trim(), String(tokenB.stdout).trim());
    const refreshes = double.requests.filter((request) => request.form?.grant_type === 'refresh_token');
    expect(refreshes.at(-1)?.form?.refresh_token === rotated, 'A asked LWA with the rotated token').toBe(true);

    // No secret in plain text: not in either clone (work tree and git objects), the remotes, the config folders, or any output.
    for (const place of [a.home, b.home, remotes]) {
      const bytes = await everything(place);
      for (const secret of secrets) expect(bytes.includes(secret), `a secret in plain text under ${place}`).toBe(false);
    }
    // Access tokens are `token`'s output by design; refresh tokens and the client secret are never printed.
    for (const text of outputs) for (const secret of [FAKE.clientSecret, firstToken, rotated]) expect(text.includes(secret), 'a secret in output').toBe(false);
  });

  it('with --no-input, gpg never asks for a passphrase: the store call fails at once (exit 8) and no pinentry starts', async () => {
    // A pinentry that only records that it was started: gpg-agent runs it whenever it wants a passphrase.
    const asked = join(root, 'pinentry-was-started');
    const pinentry = join(root, 'recording-pinentry');
    writeFileSync(pinentry, `#!/bin/sh\necho "$$" >> '${asked}'\nexit 1\n`);
    chmodSync(pinentry, 0o755);
    const c = await operator('operator-c', { passphrase: 'correct horse battery staple', pinentry });
    await c.sh('pass', ['init', c.fingerprint]);
    const store = { AMZ_TOKEN_STORE: 'helper:pass', ...NO_KEYCHAIN };
    const tag = `nopin${process.pid}x${Date.now().toString(36)}`;
    // Storing encrypts to the public key: no passphrase needed.
    expect((await c.amz(['app', 'add', `${tag}-app`, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: FAKE.clientSecret, env: store })).exitCode).toBe(0);
    const imported = await c.amz(['import', '--profile', `${tag}-shop`, '--app', `${tag}-app`, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', new Date().toISOString().slice(0, 10)], { input: double.issueRefreshToken(FAKE.clientId), env: store });
    expect(imported.exitCode, String(imported.stderr)).toBe(0);

    // Reading decrypts, which needs the passphrase.
    const quiet = await c.amz(['token', '--no-input', '--profile', `${tag}-shop`], { env: store });
    expect(quiet.exitCode).toBe(8);
    expect(String(quiet.stderr)).toMatch(/^amz-token: docker-credential-pass get failed \(exit 1\): .*gpg/m);
    expect(existsSync(asked), 'a pinentry was started despite --no-input').toBe(false);

    // The same call without --no-input does ask: the check above could have failed.
    const asking = await c.amz(['token', '--profile', `${tag}-shop`], { env: store });
    expect(asking.exitCode).toBe(8);
    expect(existsSync(asked), 'gpg-agent started the pinentry').toBe(true);
  });
});
