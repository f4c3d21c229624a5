// End to end: `exec`, the built binary against the Amazon double and a real
// gnome-keyring. The jobs are real processes (node, sh); amz-token's own output
// is checked for leaked secrets after all tests (test/support/job-rig.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, requireTestKeyring } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { daysAgo, envDumpingJob, jobRig, NO_BUS, SELLER, tempDir, type JobRig } from '../support/job-rig.js';

let h: JobRig;
beforeAll(async () => {
  requireTestKeyring();
  h = await jobRig();
});
afterEach(() => {
  h.double.faults = {};
});
afterAll(() => h?.close());

describe('exec hands the job its credentials and passes its exit status on', () => {
  it('gives every variable, an access token that works, and no long-lived secret, inherited or otherwise', async () => {
    const p = h.profileName('de');
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
    const p = h.profileName('de');
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
    const p = h.profileName('de');
    await h.addProfile(p);
    const before = h.lwaCalls();
    const first = envDumpingJob();
    expect((await h.run(['exec', '--profile', p, '--', ...first.command])).exitCode).toBe(0);
    const second = envDumpingJob();
    expect((await h.run(['exec', '--profile', p, '--', ...second.command])).exitCode).toBe(0);
    expect(second.read().SP_API_ACCESS_TOKEN).toBe(first.read().SP_API_ACCESS_TOKEN);
    expect(h.lwaCalls() - before).toBe(1);

    mkdirSync(join(h.s.configDir, '.amzspapi'), { recursive: true });
    writeFileSync(join(h.s.configDir, '.amzspapi', 'credentials'), 'SELLING_PARTNER_APP_CLIENT_ID=other\n');
    const shadowed = await h.run(['exec', '--profile', p, '--lwa-credentials', '--', 'true']);
    expect(shadowed.exitCode).toBe(0);
    expect(String(shadowed.stderr)).toContain(`warning: ${join(h.s.configDir, '.amzspapi', 'credentials')} exists: amazon-sp-api reads the app's credentials from it`);
    rmSync(join(h.s.configDir, '.amzspapi'), { recursive: true });
  });

  it('exits with the job\'s own code, 127 for a missing command and 126 for one that cannot be executed, each with one line', async () => {
    const p = h.profileName('de');
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
    const p = h.profileName('de');
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
    const p = h.profileName('de');
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
    const marker = join(tempDir(), 'started');
    const job = ['touch', marker];
    const runs: Result[] = [];
    const exec = async (profile: string, env: Record<string, string | undefined> = {}) => {
      const result = await h.run(['exec', '--profile', profile, '--', ...job], env);
      runs.push(result);
      return result;
    };

    const revoked = h.profileName('revoked');
    h.double.revoke(await h.addProfile(revoked));
    const r4 = await exec(revoked);
    expect(r4.exitCode).toBe(4);
    expect(String(r4.stderr)).toContain(`amz-token renew --profile ${revoked}`);

    expect((await exec(h.profileName('ghost'))).exitCode).toBe(5);
    const notStored = h.profileName('gone');
    await h.addProfile(notStored);
    await execa('secret-tool', ['clear', 'service', 'amz-token', 'username', `profile/${notStored}/refresh-token`]);
    expect((await exec(notStored)).exitCode).toBe(5);

    const down = h.profileName('down');
    await h.addProfile(down);
    h.double.faults.tokenStatus = 503;
    expect((await exec(down, { AMZ_TOKEN_HTTP_TIMEOUT_MS: '2000' })).exitCode).toBe(7);
    h.double.faults = {};

    expect((await exec(down, NO_BUS)).exitCode).toBe(8);
    expect((await exec(down, { AMZ_TOKEN_CLIENT_SECRET: 'amzn1.oa2-cs.v1.wrongwrongwrong' })).exitCode).toBe(9);
    expect((await h.run(['exec', '--profile', down])).exitCode).toBe(2);

    expect(existsSync(marker)).toBe(false);
    for (const result of runs) expect(String(result.stdout)).toBe('');
  });

  it('warns on stderr, naming the renew command, when the recorded expiry is near, and still runs the job', async () => {
    const p = h.profileName('old');
    await h.addProfile(p, { authorizedAt: daysAgo(350) });
    const result = await h.run(['exec', '--profile', p, '--', 'true']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(new RegExp(`^${p} expires in 1[45] days; run: amz-token renew --profile ${p}$`));
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
