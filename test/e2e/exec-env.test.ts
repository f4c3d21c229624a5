// End to end: `exec` and `env`, the built binary against the Amazon double and
// a real gnome-keyring. The jobs are real processes (node, sh, bash); every
// amz-token run is checked for leaked secrets in its own output.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, requireTestKeyring, sandbox, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

beforeAll(() => requireTestKeyring());

const SELLER = 'A3TESTSELLER01';
const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const tempDir = () => mkdtempSync(join(tmpdir(), 'amz-token-exec-'));

interface Harness {
  s: Sandbox;
  double: AmazonDouble;
  app: string;
  /** Runs amz-token pointed at the double; its output is checked for secrets unless it prints them on purpose. */
  run(args: string[], env?: Record<string, string | undefined>, options?: { jobPrintsSecrets?: boolean }): Promise<Result>;
  addProfile(name: string, options?: { authorizedAt?: string }): Promise<string>;
  secrets: string[];
  runs: Result[];
}

const harnesses: Harness[] = [];

async function harness(): Promise<Harness> {
  const double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: SELLER,
  });
  const s = sandbox();
  const app = `${s.prefix}-app`;
  const h: Harness = {
    s,
    double,
    app,
    secrets: [FAKE.clientSecret],
    runs: [],
    async run(args, env = {}, options = {}) {
      const result = await s.run(args, { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, HOME: s.configDir, ...env } });
      if (!options.jobPrintsSecrets) h.runs.push(result);
      return result;
    },
    async addProfile(name, { authorizedAt = daysAgo(10) } = {}) {
      const token = double.issueRefreshToken(FAKE.clientId);
      h.secrets.push(token);
      const imported = await s.run(
        ['import', '--profile', name, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', authorizedAt],
        { input: `${token}\n` },
      );
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
      return token;
    },
  };
  const added = await s.run(
    ['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', daysAgo(10)],
    { input: `${FAKE.clientSecret}\n` },
  );
  expect(added.exitCode, String(added.stderr)).toBe(0);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.double.close();
    for (const result of h.runs) {
      for (const text of [String(result.stdout), String(result.stderr)]) {
        for (const secret of h.secrets) expect(text.includes(secret), 'a secret leaked into amz-token\'s output').toBe(false);
        // Access tokens too: every one the double mints starts so.
        expect(text).not.toMatch(/Atz[ar]\|/);
      }
    }
  }
});

/** A job that writes its environment to a file, so nothing secret passes through stdout. */
function envDumpingJob(): { command: string[]; read(): Record<string, string> } {
  const file = join(tempDir(), 'env.json');
  return {
    command: ['node', '-e', `require('node:fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.env))`],
    read() {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    },
  };
}

describe('exec hands the job its credentials and passes its exit status on', () => {
  it('gives every variable, an access token that works, and no long-lived secret, inherited or otherwise', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    const refreshToken = await h.addProfile(p);
    const job = envDumpingJob();
    const parent = { AMZ_TOKEN_REFRESH_TOKEN: refreshToken, AMZ_TOKEN_CLIENT_SECRET: FAKE.clientSecret, LWA_CLIENT_SECRET: 'amzn1.oa2-cs.v1.stale', SP_API_REFRESH_TOKEN_default: 'Atzr|stale', KEEP_ME: 'yes' };
    const result = await h.run(['exec', '--profile', p, '--', ...job.command], parent);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toBe('');
    const env = job.read();
    expect(env).toMatchObject({
      SP_API_ACCESS_TOKEN: expect.stringMatching(/^Atza\|/),
      SP_API_REGION: 'eu',
      SP_API_ENDPOINT: 'https://sellingpartnerapi-eu.amazon.com',
      SP_API_MARKETPLACE_ID: 'A1PA6795UKMFR9',
      SP_API_DEFAULT_MARKETPLACE: 'DE',
      SP_API_SELLING_PARTNER_ID: SELLER,
      AMZ_TOKEN_PROFILE: p,
      KEEP_ME: 'yes',
    });
    expect(Date.parse(env.SP_API_ACCESS_TOKEN_EXPIRES_AT!)).toBeGreaterThan(Date.now() + 55 * 60 * 1000);
    expect(new Date(env.SP_API_ACCESS_TOKEN_EXPIRES_AT!).toISOString()).toBe(env.SP_API_ACCESS_TOKEN_EXPIRES_AT);
    for (const name of ['AMZ_TOKEN_REFRESH_TOKEN', 'AMZ_TOKEN_CLIENT_SECRET', 'LWA_CLIENT_SECRET', 'SELLING_PARTNER_APP_CLIENT_SECRET', 'LWA_REFRESH_TOKEN', 'SP_API_REFRESH_TOKEN', 'SP_API_REFRESH_TOKEN_default']) {
      expect(env, name).not.toHaveProperty(name);
    }
    expect(JSON.stringify(env)).not.toContain(refreshToken);
    expect(JSON.stringify(env)).not.toContain(FAKE.clientSecret);
    // The token is one Amazon (the double) accepts.
    const sellers = await fetch(`${h.double.spApiOrigin}/sellers/v1/marketplaceParticipations`, { headers: { 'x-amz-access-token': env.SP_API_ACCESS_TOKEN! } });
    expect(sellers.status).toBe(200);
  });

  it('with --lwa-credentials also gives the client id, secret and refresh token under every library\'s names; AMZ_TOKEN_SPAPI_URL sets the endpoint', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    const refreshToken = await h.addProfile(p);
    const job = envDumpingJob();
    const result = await h.run(['exec', '--profile', p, '--lwa-credentials', '--', ...job.command], { AMZ_TOKEN_SPAPI_URL: h.double.spApiOrigin });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(job.read()).toMatchObject({
      SP_API_ENDPOINT: h.double.spApiOrigin,
      LWA_CLIENT_ID: FAKE.clientId,
      LWA_APP_ID: FAKE.clientId,
      SELLING_PARTNER_APP_CLIENT_ID: FAKE.clientId,
      LWA_CLIENT_SECRET: FAKE.clientSecret,
      SELLING_PARTNER_APP_CLIENT_SECRET: FAKE.clientSecret,
      LWA_REFRESH_TOKEN: refreshToken,
      SP_API_REFRESH_TOKEN: refreshToken,
    });
  });

  it('reuses the cached token for the next job, and warns when ~/.amzspapi/credentials would shadow the handed-over app credentials', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const first = envDumpingJob();
    expect((await h.run(['exec', '--profile', p, '--', ...first.command])).exitCode).toBe(0);
    const second = envDumpingJob();
    expect((await h.run(['exec', '--profile', p, '--', ...second.command])).exitCode).toBe(0);
    expect(second.read().SP_API_ACCESS_TOKEN).toBe(first.read().SP_API_ACCESS_TOKEN);
    expect(h.double.requests).toHaveLength(1);

    mkdirSync(join(h.s.configDir, '.amzspapi'), { recursive: true });
    writeFileSync(join(h.s.configDir, '.amzspapi', 'credentials'), 'SELLING_PARTNER_APP_CLIENT_ID=other\n');
    const shadowed = await h.run(['exec', '--profile', p, '--lwa-credentials', '--', 'true']);
    expect(shadowed.exitCode).toBe(0);
    expect(String(shadowed.stderr)).toContain(`warning: ${join(h.s.configDir, '.amzspapi', 'credentials')} exists: amazon-sp-api reads the app's credentials from it`);
  });

  it('exits with the job\'s own code, 127 for a missing command and 126 for one that cannot be executed, each with one line', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    expect((await h.run(['exec', '--profile', p, '--', 'sh', '-c', 'exit 42'])).exitCode).toBe(42);
    expect((await h.run(['exec', '--profile', p, '--', 'false'])).exitCode).toBe(1);
    const missing = await h.run(['exec', '--profile', p, '--', 'no-such-command-amz-token']);
    expect(missing.exitCode).toBe(127);
    expect(String(missing.stderr)).toBe('amz-token: no-such-command-amz-token: command not found');
    const notExecutable = join(tempDir(), 'job.sh');
    writeFileSync(notExecutable, '#!/bin/sh\necho never\n', { mode: 0o644 });
    const denied = await h.run(['exec', '--profile', p, '--', notExecutable]);
    expect(denied.exitCode).toBe(126);
    expect(String(denied.stderr)).toBe(`amz-token: ${notExecutable}: cannot be executed (permission denied)`);
    expect(String(denied.stdout)).toBe('');
  });

  it('passes the job stdin and stdout, and a terminal stays a terminal', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const piped = await h.s.run(['exec', '--profile', p, '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'hello job\n', env: { AMZ_TOKEN_LWA_URL: h.double.lwaUrl } });
    expect(piped.exitCode, String(piped.stderr)).toBe(0);
    expect(String(piped.stdout)).toBe('HELLO JOB');

    const command = ['node', BIN, 'exec', '--profile', p, '--', 'node', '-e', 'console.log("tty:" + process.stdin.isTTY + "," + process.stdout.isTTY)'].map((w) => `'${w}'`).join(' ');
    const onTerminal = await execa('script', ['-qfec', command, '/dev/null'], { env: { ...h.s.env, AMZ_TOKEN_LWA_URL: h.double.lwaUrl }, input: '', reject: false, timeout: 60_000 });
    expect(onTerminal.exitCode, String(onTerminal.stdout)).toBe(0);
    expect(String(onTerminal.stdout)).toContain('tty:true,true');
  });

  it('forwards SIGTERM, SIGINT and SIGHUP to the job and waits for it: the job\'s own exit code, or 128+N', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    // Warm the cache, so each run below starts its job at once.
    expect((await h.run(['exec', '--profile', p, '--', 'true'])).exitCode).toBe(0);
    const handles = `for (const s of ['SIGTERM','SIGHUP']) process.on(s, () => { console.log('job got ' + s); setTimeout(() => process.exit(s === 'SIGTERM' ? 7 : 8), 200); }); console.log('ready'); setInterval(() => {}, 1000);`;
    for (const [signal, expected, line] of [['SIGTERM', 7, 'job got SIGTERM'], ['SIGHUP', 8, 'job got SIGHUP'], ['SIGINT', 130, '']] as const) {
      const running = h.s.start(['exec', '--profile', p, '--', 'node', '-e', handles], { env: { AMZ_TOKEN_LWA_URL: h.double.lwaUrl } });
      await waitFor(() => running.stdout().includes('ready'));
      running.child.kill(signal);
      const result = await running.child;
      expect(result.exitCode, `${signal}: ${running.stderr()}`).toBe(expected);
      if (line) expect(running.stdout()).toContain(line);
    }
  });
});

describe('exec starts nothing when the credentials cannot be had, and exits as token would', () => {
  it('4 revoked, 5 unknown profile or nothing stored, 7 Amazon failing, 8 no keychain, 9 app rejected', async () => {
    const h = await harness();
    const marker = join(tempDir(), 'started');
    const job = ['touch', marker];
    const exec = (profile: string, env: Record<string, string | undefined> = {}) => h.run(['exec', '--profile', profile, '--', ...job], env);

    const revoked = `${h.s.prefix}-revoked`;
    h.double.revoke(await h.addProfile(revoked));
    const r4 = await exec(revoked);
    expect(r4.exitCode).toBe(4);
    expect(String(r4.stderr)).toContain(`amz-token renew --profile ${revoked}`);

    expect((await exec(`${h.s.prefix}-ghost`)).exitCode).toBe(5);
    const notStored = `${h.s.prefix}-gone`;
    await h.addProfile(notStored);
    await execa('secret-tool', ['clear', 'service', 'amz-token', 'username', `profile/${notStored}/refresh-token`]);
    expect((await exec(notStored)).exitCode).toBe(5);

    const down = `${h.s.prefix}-down`;
    await h.addProfile(down);
    h.double.faults.tokenStatus = 503;
    expect((await exec(down, { AMZ_TOKEN_HTTP_TIMEOUT_MS: '2000' })).exitCode).toBe(7);
    h.double.faults = {};

    expect((await exec(down, NO_BUS)).exitCode).toBe(8);
    expect((await exec(down, { AMZ_TOKEN_CLIENT_SECRET: 'amzn1.oa2-cs.v1.wrongwrongwrong' })).exitCode).toBe(9);
    expect((await h.run(['exec', '--profile', down])).exitCode).toBe(2);

    expect(existsSync(marker)).toBe(false);
    for (const result of h.runs) expect(String(result.stdout)).toBe('');
  });

  it('warns on stderr, naming the renew command, when the recorded expiry is near, and still runs the job', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-old`;
    await h.addProfile(p, { authorizedAt: daysAgo(350) });
    const result = await h.run(['exec', '--profile', p, '--', 'true']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(new RegExp(`^${p} expires in 1[45] days; run: amz-token renew --profile ${p}$`));
  });
});

describe('env prints the same variables for shells and CI', () => {
  it('sh survives eval in bash even when Amazon hands out a token with a newline and quotes; json parses; dotenv refuses what it cannot quote', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const hostile = `Atza|it's "odd"\nexport INJECTED=1 $(touch /tmp/amz-token-pwned)`;
    h.double.faults.body = JSON.stringify({ access_token: hostile, token_type: 'bearer', expires_in: 3600 });
    const env = { ...h.s.env, AMZ_TOKEN_LWA_URL: h.double.lwaUrl, HOME: h.s.configDir };
    const script = `eval "$(node '${BIN}' env --profile '${p}')" || exit 9; printf '%s' "$SP_API_ACCESS_TOKEN"; printf '|%s|%s' "\${INJECTED:-unset}" "$SP_API_DEFAULT_MARKETPLACE"`;
    const bash = await execa('bash', ['-c', script], { env, reject: false });
    expect(bash.exitCode, String(bash.stderr)).toBe(0);
    expect(String(bash.stdout)).toBe(`${hostile}|unset|DE`);
    expect(existsSync('/tmp/amz-token-pwned')).toBe(false);

    const json = await h.run(['env', '--profile', p, '--format', 'json'], {}, { jobPrintsSecrets: true });
    expect(JSON.parse(String(json.stdout))).toMatchObject({ SP_API_ACCESS_TOKEN: hostile, SP_API_MARKETPLACE_ID: 'A1PA6795UKMFR9', AMZ_TOKEN_PROFILE: p });
    expect(JSON.parse(String((await h.run(['--json', 'env', '--profile', p], {}, { jobPrintsSecrets: true })).stdout))).toEqual(JSON.parse(String(json.stdout)));

    const dotenv = await h.run(['env', '--profile', p, '--format', 'dotenv']);
    expect(dotenv.exitCode).toBe(2);
    expect(String(dotenv.stdout)).toBe('');
    expect(String(dotenv.stderr)).toContain('SP_API_ACCESS_TOKEN cannot be written unambiguously in dotenv format');
  });

  it('dotenv writes NAME=value lines', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    await h.addProfile(p);
    const dotenv = await h.run(['env', '--profile', p, '--format', 'dotenv', '--lwa-credentials'], {}, { jobPrintsSecrets: true });
    expect(dotenv.exitCode, String(dotenv.stderr)).toBe(0);
    const lines = String(dotenv.stdout).split('\n');
    expect(lines).toHaveLength(15);
    expect(lines).toContain('SP_API_REGION=eu');
    expect(lines).toContain(`LWA_CLIENT_SECRET=${FAKE.clientSecret}`);
    expect(lines.every((line) => /^[A-Z_]+=\S*$/.test(line))).toBe(true);
  });

  it('github appends to $GITHUB_ENV in the multi-line syntax, so a newline cannot inject a variable, and prints only masks', async () => {
    const h = await harness();
    const p = `${h.s.prefix}-de`;
    const refreshToken = await h.addProfile(p);
    const hostile = 'Atza|first-line\nINJECTED=1';
    h.double.faults.body = JSON.stringify({ access_token: hostile, token_type: 'bearer', expires_in: 3600 });
    const githubEnv = join(tempDir(), 'github_env');
    writeFileSync(githubEnv, 'EARLIER=kept\n');
    const result = await h.run(['env', '--profile', p, '--format', 'github', '--lwa-credentials'], { GITHUB_ENV: githubEnv }, { jobPrintsSecrets: true });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).split('\n')).toEqual([
      '::add-mask::Atza|first-line',
      '::add-mask::INJECTED=1',
      `::add-mask::${FAKE.clientSecret}`,
      `::add-mask::${refreshToken}`,
    ]);
    const parsed = parseGithubEnv(readFileSync(githubEnv, 'utf8'));
    expect(parsed).toMatchObject({ EARLIER: 'kept', SP_API_ACCESS_TOKEN: hostile, SP_API_REGION: 'eu', LWA_REFRESH_TOKEN: refreshToken, AMZ_TOKEN_PROFILE: p });
    expect(parsed).not.toHaveProperty('INJECTED');
    expect(Object.keys(parsed)).toHaveLength(16);

    const noFile = await h.run(['env', '--profile', p, '--format', 'github']);
    expect(noFile.exitCode).toBe(2);
    expect(String(noFile.stderr)).toContain('--format github needs $GITHUB_ENV');
  });
});

/** $GITHUB_ENV as the Actions runner reads it: NAME=value lines, or NAME<<DELIMITER ... DELIMITER blocks. */
function parseGithubEnv(text: string): Record<string, string> {
  const lines = text.split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      while (lines[++i] !== heredoc[2]) {
        if (i >= lines.length) throw new Error(`unterminated value of ${heredoc[1]}`);
        value.push(lines[i]!);
      }
      out[heredoc[1]!] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
