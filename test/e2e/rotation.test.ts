// End to end: client secret rotation. The built CLI against the Amazon double (grantless
// tokens, rotateApplicationClientSecret, old secrets that work seven days), a real
// SQS-protocol server (fauxqs, driven through the real @aws-sdk/client-sqs on both sides)
// and the real keychain (or, for the crash case, a real credential-helper program).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Result } from 'execa';
import { requireTestKeyring, sandbox, secretToolLookup, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { startFauxqs, type Fauxqs } from '../support/fauxqs.js';
import { newSecretNotification, sendToQueue, startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

const DAY = 24 * 60 * 60 * 1000;
const HELPERS = resolve(import.meta.dirname, '../support/credential-helpers');
const FOREIGN_CLIENT = 'amzn1.application-oa2-client.ffffffffffffffffffffffffffffffff';

let sqs: Fauxqs;
beforeAll(async () => {
  requireTestKeyring();
  sqs = await startFauxqs();
});
afterAll(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.double.close()));
  await sqs?.close();
});

interface Rig {
  s: Sandbox;
  double: AmazonDouble;
  app: string;
  queueUrl: string;
  /** Moves the double's clock (old secrets stop working after seven days). */
  advance(ms: number): void;
  run(args: string[], options?: { input?: string; env?: Record<string, string | undefined> }): Promise<Result>;
  /** Every value that must never appear in output or config: the secrets the double ever issued. */
  secrets(): string[];
}

// The cases run concurrently: each has its own queue, double, config folder and keychain names.
const rigs: Rig[] = [];

async function rig(options: { enrolled?: boolean; env?: Record<string, string> } = {}): Promise<Rig> {
  const s = sandbox();
  const queueUrl = await sqs.createQueue(`${s.prefix}-secrets`);
  let offset = 0;
  const issued = [FAKE.clientSecret];
  const double = await startAmazonDouble({
    apps: [
      {
        applicationId: FAKE.appId,
        clientId: FAKE.clientId,
        clientSecret: FAKE.clientSecret,
        redirectUris: ['https://relay.example.com/amz/'],
        ...(options.enrolled === false ? {} : { secretQueueUrl: queueUrl }),
      },
    ],
    now: () => Date.now() + offset,
  });
  const app = `${s.prefix}-app`;
  const r: Rig = {
    s,
    double,
    app,
    queueUrl,
    advance(ms) {
      offset += ms;
    },
    async run(args, runOptions = {}) {
      const result = await s.run(args, {
        ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
        env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_SPAPI_URL: double.spApiOrigin, ...sqs.awsEnv, ...options.env, ...runOptions.env },
      });
      const current = double.currentSecret(FAKE.clientId);
      if (!issued.includes(current)) issued.push(current);
      const shown = `${result.stdout}\n${result.stderr}\n${s.configText()}`;
      for (const secret of issued) expect(shown, `a client secret leaked from: amz-token ${args.join(' ')}`).not.toContain(secret);
      // The AWS SDK's eight-line Node-version warning stays off the operator's stderr.
      expect(String(result.stderr)).not.toContain('NodeVersionSupportWarning');
      return result;
    },
    secrets: () => issued,
  };
  rigs.push(r);
  const added = await r.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], { input: `${FAKE.clientSecret}\n` });
  expect(added.exitCode, String(added.stderr)).toBe(0);
  return r;
}

/** Polls a condition (a running process's output) for up to 30 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((done) => setTimeout(done, 100));
  expect(condition()).toBe(true);
}

const config = (r: Rig) => JSON.parse(readFileSync(join(r.s.configDir, 'config.json'), 'utf8')) as { apps: Record<string, Record<string, string>> };
const ours = (bodies: string[]) => bodies.filter((b) => b.includes(FAKE.clientId));

describe.concurrent('client secret rotation', () => {
  it('rotate-secret stores the new secret from the queue and leaves others\' messages there; grantless tokens are cached; old secrets stop after seven days', async () => {
    const r = await rig();
    const foreign = JSON.parse(newSecretNotification({ applicationId: FAKE.appId, clientId: FOREIGN_CLIENT, clientSecret: 'x', redirectUris: [] }, 'amzn1.oa2-cs.v1.someoneelses', Date.now() + 180 * DAY, Date.now() + 7 * DAY, Date.now())) as object;
    await sendToQueue(r.queueUrl, JSON.stringify(foreign));

    const first = await r.run(['token', '--grantless', '--app', r.app, '--scope', 'rotation']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stdout)).toMatch(/^Atza\|\S+$/);
    const asked = r.double.requests.length;
    const again = await r.run(['token', '--grantless', '--app', r.app, '--scope', 'rotation']);
    expect(again.stdout).toBe(first.stdout);
    expect(r.double.requests.length).toBe(asked);
    expect(r.double.requests.at(-1)!.form).toMatchObject({ grant_type: 'client_credentials', scope: 'sellingpartnerapi::client_credential:rotation' });

    expect((await r.run(['app', 'set', r.app, '--secret-queue', r.queueUrl])).exitCode).toBe(0);
    r.double.faults.rotationThrottled = 1; // one 429: retried after its Retry-After
    const rotated = await r.run(['app', 'rotate-secret', r.app, '--wait', '30']);
    expect(rotated.exitCode, String(rotated.stderr)).toBe(0);
    expect(String(rotated.stderr)).toMatch(/Rotated the client secret of \S+; the new one is stored and expires/);
    expect(r.double.rotations.map((c) => c.status)).toEqual([429, 204]);

    const newSecret = r.double.currentSecret(FAKE.clientId);
    expect(newSecret).not.toBe(FAKE.clientSecret);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(newSecret);
    const app = config(r).apps[r.app]!;
    expect(Math.abs(new Date(app.clientSecretExpiresAt!).getTime() - (Date.now() + 180 * DAY))).toBeLessThan(60_000);
    expect(Math.abs(new Date(app.oldClientSecretExpiresAt!).getTime() - (Date.now() + 7 * DAY))).toBeLessThan(60_000);
    // Ours is gone; the other app's message is still there, visible.
    const left = await sqs.peek(r.queueUrl);
    expect(ours(left)).toEqual([]);
    expect(left.filter((b) => b.includes(FOREIGN_CLIENT))).toHaveLength(1);

    // Eight days on the old secret no longer works at Amazon, and the stored one does.
    r.advance(8 * DAY);
    const proof = await r.run(['status', '--check', '--json']);
    const apps = JSON.parse(String(proof.stdout)).apps as Array<{ app: string; checked?: boolean }>;
    expect(apps.find((a) => a.app === r.app)?.checked, String(proof.stderr)).toBe(true);
  });

  it('a wait that runs out leaves the secret as it was; the next rotate-secret stores the waiting secret instead of starting a second rotation', async () => {
    const r = await rig();
    r.double.faults.holdNotifications = true;
    const waited = await r.run(['app', 'rotate-secret', r.app, '--queue-url', r.queueUrl, '--wait', '2']);
    expect(waited.exitCode).toBe(6);
    expect(String(waited.stderr)).toMatch(/did not arrive on the queue within 2 s; the stored secret is unchanged/);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(FAKE.clientSecret);

    await r.double.deliverHeld();
    const again = await r.run(['app', 'rotate-secret', r.app, '--queue-url', r.queueUrl, '--wait', '5', '--json']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(JSON.parse(String(again.stdout))).toMatchObject({ app: r.app, outcome: 'finished-earlier' });
    expect(r.double.rotations).toHaveLength(1);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(r.double.currentSecret(FAKE.clientId));
    expect(ours(await sqs.peek(r.queueUrl))).toEqual([]);
  });

  it('a store that fails after the secret arrived leaves the message on the queue; watch-secrets --once stores it later', async () => {
    const helperDir = mkdtempSync(join(tmpdir(), 'amz-token-helper-'));
    const r = await rig({ env: { AMZ_TOKEN_STORE: 'helper:secretservice-style', PATH: `${HELPERS}:${process.env.PATH}`, FAKE_HELPER_DIR: helperDir } });
    expect((await r.run(['app', 'set', r.app, '--secret-queue', r.queueUrl])).exitCode).toBe(0);

    const broken = await r.run(['app', 'rotate-secret', r.app, '--wait', '30'], { env: { REFUSE_STORE_MATCHING: 'client-secret' } });
    expect(broken.exitCode).toBe(8);
    expect(String(broken.stderr)).toContain('store refused: backend offline');
    // The old secret is still the stored one, and still works (seven days).
    expect((await r.run(['token', '--grantless', '--app', r.app, '--scope', 'notifications', '--no-cache'])).exitCode).toBe(0);
    // Amazon's message waits on the queue, handed back at once by the failed run.
    expect(ours(await sqs.peek(r.queueUrl))).toHaveLength(1);
    const watched = await r.run(['app', 'watch-secrets', '--once']);
    expect(watched.exitCode, String(watched.stderr)).toBe(0);
    expect(String(watched.stderr)).toMatch(/Stored the new client secret of \S+ from the queue/);
    expect(r.double.rotations).toHaveLength(1);
    r.advance(8 * DAY);
    const proof = await r.run(['token', '--grantless', '--app', r.app, '--scope', 'notifications', '--no-cache']);
    expect(proof.exitCode, String(proof.stderr)).toBe(0);
    expect(ours(await sqs.peek(r.queueUrl))).toEqual([]);
  });

  it('watch-secrets without --once long-polls, stores a secret rotated in the console as it arrives, and ends on SIGTERM with exit 0', async () => {
    const r = await rig();
    const watching = r.s.start(['app', 'watch-secrets', '--queue-url', r.queueUrl], {
      env: { AMZ_TOKEN_LWA_URL: r.double.lwaUrl, ...sqs.awsEnv },
    });
    await until(() => watching.stderr().includes('Watching'));
    const consoleSecret = 'amzn1.oa2-cs.v1.rotatedintheconsole0123456789';
    await sendToQueue(r.queueUrl, newSecretNotification({ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: '', redirectUris: [] }, consoleSecret, Date.now() + 180 * DAY, Date.now() + 7 * DAY, Date.now()));
    await until(() => /Stored the new client secret/.test(watching.stderr()));
    watching.child.kill('SIGTERM');
    const ended = await watching.child;
    expect(ended.exitCode, watching.stderr()).toBe(0);
    expect(watching.stderr()).not.toContain(consoleSecret);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(consoleSecret);
  });

  it('not enrolled, throttled twice, no such queue and no AWS credentials: one line naming the fix, nothing changed', async () => {
    const r = await rig({ enrolled: false });
    const notEnrolled = await r.run(['app', 'rotate-secret', r.app, '--queue-url', r.queueUrl, '--wait', '5']);
    expect(notEnrolled.exitCode).toBe(9);
    expect(String(notEnrolled.stderr)).toContain('not enrolled for rotation notifications');
    expect(String(notEnrolled.stderr)).toContain('Notification Preferences > "Application Client New Secret"');

    r.double.faults.rotationThrottled = 2;
    const throttled = await r.run(['app', 'rotate-secret', r.app, '--queue-url', r.queueUrl, '--wait', '5']);
    expect(throttled.exitCode).toBe(7);
    expect(String(throttled.stderr)).toMatch(/throttled the rotation .* twice/);

    const calls = r.double.rotations.length;
    const missing = await r.run(['app', 'rotate-secret', r.app, '--queue-url', r.queueUrl.replace(/secrets$/, 'nosuchqueue'), '--wait', '5']);
    expect(missing.exitCode).toBe(8);
    expect(String(missing.stderr)).toMatch(/^amz-token: the secret queue \S+ does not exist\n {2}check the URL/);

    const home = mkdtempSync(join(tmpdir(), 'amz-token-home-'));
    const noCredentials = await r.run(['app', 'watch-secrets', '--once', '--queue-url', r.queueUrl], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined, HOME: home, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') },
    });
    expect(noCredentials.exitCode).toBe(8);
    expect(String(noCredentials.stderr)).toMatch(/^amz-token: no AWS credentials found for the secret queue\n {2}set AWS_PROFILE/);
    expect(r.double.rotations.length).toBe(calls);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(FAKE.clientSecret);
  });

  it('watch-secrets records a secret-expiry notice (exit 3), and with --rotate answers it with a rotation; status --check shows a rejected secret', async () => {
    const r = await rig();
    expect((await r.run(['app', 'set', r.app, '--secret-queue', r.queueUrl])).exitCode).toBe(0);
    const expiresAt = new Date(Date.now() + 6 * DAY);
    await r.double.notifySecretExpiry(FAKE.clientId, expiresAt);
    const noted = await r.run(['app', 'watch-secrets', '--once']);
    expect(noted.exitCode, String(noted.stderr)).toBe(3);
    expect(String(noted.stderr)).toContain(`rotate it: amz-token app rotate-secret ${r.app}`);
    expect(config(r).apps[r.app]!.clientSecretExpiresAt).toBe(expiresAt.toISOString());
    expect(r.double.rotations).toHaveLength(0);

    await r.double.notifySecretExpiry(FAKE.clientId, expiresAt);
    const rotated = await r.run(['app', 'watch-secrets', '--once', '--rotate', '--wait', '30']);
    expect(rotated.exitCode, String(rotated.stderr)).toBe(0);
    expect(r.double.rotations.map((c) => c.status)).toEqual([204]);
    expect(await secretToolLookup(`app/${r.app}/client-secret`)).toBe(r.double.currentSecret(FAKE.clientId));
    expect(await sqs.peek(r.queueUrl)).toEqual([]);

    // A wrong secret stored by hand: the app's own check fails, in every view.
    expect((await r.run(['app', 'set-secret', r.app], { input: 'amzn1.oa2-cs.v1.wrongwrongwrong\n' })).exitCode).toBe(0);
    const table = await r.run(['status', '--check']);
    expect(table.exitCode).toBe(9);
    expect(String(table.stderr)).toContain(`Login with Amazon rejected the credentials of app "${r.app}" (invalid_client`);
    expect(String(table.stdout)).toMatch(new RegExp(`^${r.app} .* app rejected$`, 'm'));
    const metrics = await r.run(['status', '--check', '--format', 'prometheus']);
    expect(String(metrics.stdout)).toContain(`amz_token_client_secret_check_success{app="${r.app}"} 0`);
  });
});
