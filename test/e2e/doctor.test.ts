// End to end: `amz-token doctor`, the built binary against the real parts: the Amazon
// double (LWA, grantless grants), the test keyring (and a locked one of this file's own),
// Debian's nginx with a throwaway CA in front of `serve`, fauxqs through the AWS SDK, and the
// SMTP server of the remind tests (smtp-server, TLS with its own throwaway CA, AUTH).
// Each fault is seeded on its own into an otherwise sound setup: the finding it causes
// fails, the run exits with that finding's code, and the other findings stay ok.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTestKeyring, sandbox, type Running, type Sandbox } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { freePort, waitForOutput } from '../support/flow.js';
import { startNginx, type NginxProxy } from '../support/nginx-tls.js';
import { startFauxqs, type Fauxqs } from '../support/fauxqs.js';
import { writeConfig } from '../support/config-file.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const DAY = 86_400_000;
/** The lifetime of the certificate that renewal has let run down (doctor warns below 14 days). */
const SHORT_CERT_DAYS = 5;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const SELLER = 'A3TESTSELLER01';
const WRONG_SECRET = 'amzn1.oa2-cs.v1.wrongwrongwrong0123456789abcdef';
const POLICY = (queueArn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::437568002678:root' }, Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], Resource: queueArn }] });

let double: AmazonDouble;
let sqs: Fauxqs;
let smtp: TestSmtpServer;
/** nginx in front of a running serve, the same serve behind a certificate about to expire, and nginx in front of nothing (serve down). */
let up: { nginx: NginxProxy; serve: Running; base: string };
let expiring: { nginx: NginxProxy; base: string };
let down: { nginx: NginxProxy; base: string };
const secrets: string[] = [FAKE.clientSecret, WRONG_SECRET];
const outputs: string[] = [];
/** Each profile's refresh token, as the double issued it. */
const tokens = new Map<string, string>();

beforeAll(async () => {
  requireTestKeyring();
  [double, sqs, smtp] = await Promise.all([
    startAmazonDouble({ apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }], sellingPartnerId: SELLER }),
    startFauxqs(),
    startSmtpServer(),
  ]);
  secrets.push(smtp.password);
  // The host is localhost: the CLI resolves it to nginx on loopback, and the certificate names it.
  const [upstream, nowhere] = await Promise.all([freePort(), freePort()]);
  const [upNginx, expiringNginx, downNginx] = await Promise.all([
    startNginx({ host: 'localhost', upstreamPort: upstream, days: 90 }),
    startNginx({ host: 'localhost', upstreamPort: upstream, days: SHORT_CERT_DAYS }),
    startNginx({ host: 'localhost', upstreamPort: nowhere, days: 90 }),
  ]);
  const base = `https://localhost:${upNginx.port}/amz-token`;
  const s = sandbox();
  const serve = s.start(['serve', '--listen', `127.0.0.1:${upstream}`, '--base-url', base], { timeout: 300_000 });
  await waitForOutput(serve.stderr, (text) => text.includes(`127.0.0.1:${upstream}`) || serve.child.exitCode !== null, 30_000);
  up = { nginx: upNginx, serve, base };
  expiring = { nginx: expiringNginx, base: `https://localhost:${expiringNginx.port}/amz-token` };
  down = { nginx: downNginx, base: `https://localhost:${downNginx.port}/amz-token` };
}, 120_000);

afterAll(async () => {
  if (up?.serve.child.exitCode === null) {
    up.serve.child.kill('SIGTERM');
    await up.serve.child;
  }
  await Promise.all([up?.nginx.stop(), expiring?.nginx.stop(), down?.nginx.stop(), double?.close(), sqs?.close(), smtp?.close()]);
  for (const text of outputs) for (const secret of secrets) expect(text.includes(secret), 'a secret leaked into doctor\'s output').toBe(false);
});

interface Setup {
  s: Sandbox;
  app: string;
  profile: string;
  /** doctor --json in this sandbox; `env` adds to (or, undefined, removes from) the sound environment. */
  doctor(env?: Record<string, string | undefined>, args?: string[]): Promise<{ result: Result; report: Report }>;
}

interface Check {
  check: string;
  subject: string;
  status: string;
  message: string;
  fix: string | null;
  exitCode: number;
}
interface Report {
  status: string;
  exitCode: number;
  checks: Check[];
  register?: { redirectUri: string; loginUri: string };
}

/** An app (and one profile with a live grant) that doctor finds sound, unless a fault is passed. */
async function setup(options: { secret?: string; redirectUri?: string; queue?: 'sound' | 'no-policy' | 'silent'; env?: Record<string, string> } = {}): Promise<Setup> {
  const s = sandbox();
  Object.assign(s.env, options.env);
  const app = `${s.prefix}-app`;
  const profile = `${s.prefix}-de`;
  const added = await s.run(['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', options.redirectUri ?? `${up.base}/callback`, '--secret-created', daysAgo(10)], {
    input: `${options.secret ?? FAKE.clientSecret}\n`,
  });
  expect(added.exitCode, String(added.stderr)).toBe(0);
  const token = double.issueRefreshToken(FAKE.clientId);
  secrets.push(token);
  const imported = await s.run(['import', '--profile', profile, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', daysAgo(10)], { input: `${token}\n` });
  expect(imported.exitCode, String(imported.stderr)).toBe(0);
  if (options.queue) {
    // A silent queue: its URL names a loopback port nothing listens on (the SDK sends each call to the URL's host).
    const url = options.queue === 'silent' ? `http://127.0.0.1:${await freePort()}/000000000000/${s.prefix}-secrets` : await sqs.createQueue(`${s.prefix}-secrets`);
    if (options.queue === 'sound') await setPolicy(url);
    const set = await s.run(['app', 'set', app, '--secret-queue', url]);
    expect(set.exitCode, String(set.stderr)).toBe(0);
  }
  tokens.set(profile, token);
  return {
    s,
    app,
    profile,
    async doctor(env = {}, args = []) {
      const result = await s.run(['doctor', '--json', ...args], {
        env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_BASE_URL: up.base, NODE_EXTRA_CA_CERTS: up.nginx.tls.caFile, ...sqs.awsEnv, ...env },
        timeout: 90_000,
      });
      outputs.push(String(result.stdout), String(result.stderr));
      expect(String(result.stdout), String(result.stderr)).toMatch(/^\{/);
      return { result, report: JSON.parse(String(result.stdout)) as Report };
    },
  };
}

async function setPolicy(queueUrl: string): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { SQSClient, SetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const client = new SQSClient({ region: 'us-east-1', endpoint: sqs.origin, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await client.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: POLICY(`arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`) } }));
  } finally {
    client.destroy();
  }
}

/** The one finding `check` of `subject`; every other finding must be ok (or, for `alsoAllowed`, as listed). */
function only(report: Report, failing: Array<[check: string, status: string]>): Check[] {
  const found = failing.map(([check, status]) => {
    const match = report.checks.find((c) => c.check === check && c.status === status);
    expect(match, `${check} ${status} in ${JSON.stringify(report.checks, null, 1)}`).toBeDefined();
    return match!;
  });
  const others = report.checks.filter((c) => !found.includes(c) && c.status !== 'ok');
  expect(others, 'findings other than the seeded ones').toEqual([]);
  return found;
}

describe('amz-token doctor', () => {
  it('passes a sound setup: every check ok, exit 0, the URIs to register printed, no secret shown', async () => {
    const h = await setup({ queue: 'sound' });
    const { result, report } = await h.doctor();
    expect(result.exitCode, JSON.stringify(report.checks.filter((c) => c.status !== 'ok'))).toBe(0);
    expect(report.status).toBe('ok');
    const names = report.checks.map((c) => c.check);
    for (const check of ['config.mode', 'config.folder', 'config.file', 'store.opens', 'clock.offset', 'app.ids', 'app.secret', 'app.secret-expiry', 'app.redirect-uri', 'app.draft', 'app.queue', 'app.queue-policy', 'profile.grant', 'profile.expiry', 'serve.tls', 'serve.health', 'serve.uris']) {
      expect(names, check).toContain(check);
    }
    expect(report.checks.find((c) => c.check === 'serve.tls')!.message).toMatch(/trusted and names the host .* \d+ days left/);
    expect(report.register).toEqual({ redirectUri: `${up.base}/callback`, loginUri: `${up.base}/login` });
    // No mail settings: remind is not in use, and doctor has nothing to say about it.
    expect(names.filter((name) => name.startsWith('mail.'))).toEqual([]);

    // The plain view: one line per finding, and the Redirect and Login URIs on stderr.
    const plain = await h.s.run(['doctor'], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_BASE_URL: up.base, NODE_EXTRA_CA_CERTS: up.nginx.tls.caFile, ...sqs.awsEnv } });
    outputs.push(String(plain.stdout), String(plain.stderr));
    expect(plain.exitCode).toBe(0);
    expect(String(plain.stdout).trim().split('\n')).toHaveLength(report.checks.length);
    expect(String(plain.stdout)).toMatch(new RegExp(`^ok\\s+profile ${h.profile}\\s+grant\\s+Amazon issued an access token$`, 'm'));
    expect(String(plain.stderr)).toContain(`Redirect URI ${up.base}/callback, Login URI ${up.base}/login`);
  });

  it('a wrong client secret: the app fails with exit 9 and the command that stores the right one', async () => {
    const h = await setup({ secret: WRONG_SECRET });
    const { result, report } = await h.doctor();
    expect(result.exitCode).toBe(9);
    const [secret, grant] = only(report, [['app.secret', 'failure'], ['profile.grant', 'failure']]);
    expect(secret!.message).toContain('invalid_client');
    expect(secret!.fix).toContain(`amz-token app set-secret ${h.app}`);
    expect(grant!.exitCode).toBe(9);
  });

  it('swapped ids in config.json: that app fails with exit 9, and another app is still checked', async () => {
    const h = await setup();
    const file = join(h.s.configDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const broken = `${h.s.prefix}-swapped`;
    config.apps[broken] = { ...config.apps[h.app], appId: FAKE.clientId, clientId: FAKE.appId };
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    const { result, report } = await h.doctor();
    expect(result.exitCode).toBe(9);
    const [ids] = only(report, [['app.ids', 'failure']]);
    expect(ids!.subject).toBe(`app ${broken}`);
    expect(ids!.message).toContain('swapped');
    expect(ids!.fix).toContain(`apps.${broken}.appId holds the application id`);
    expect(report.checks.find((c) => c.check === 'app.secret' && c.subject === `app ${h.app}`)!.status).toBe('ok');
  });

  it('a revoked grant: the profile fails with exit 4 and the renew command', async () => {
    const h = await setup();
    double.revoke(tokens.get(h.profile)!);
    const { result, report } = await h.doctor();
    expect(result.exitCode).toBe(4);
    const [grant] = only(report, [['profile.grant', 'failure']]);
    expect(grant!.message).toContain('invalid_grant');
    expect(grant!.fix).toBe(`amz-token renew --profile ${h.profile}`);
  });

  it('serve down behind the proxy: the health check fails with exit 6 and what to start', async () => {
    const h = await setup({ redirectUri: `${down.base}/callback` });
    const { result, report } = await h.doctor({ AMZ_TOKEN_BASE_URL: down.base, NODE_EXTRA_CA_CERTS: down.nginx.tls.caFile });
    expect(result.exitCode).toBe(6);
    const [health] = only(report, [['serve.health', 'failure']]);
    expect(health!.message).toMatch(/answers 502 from the proxy: serve is not running behind it/);
    expect(health!.fix).toContain('amz-token serve --listen');
  });

  it("a certificate this machine does not trust: the TLS check fails with exit 6, serve itself still answers", async () => {
    const h = await setup();
    const { result, report } = await h.doctor({ NODE_EXTRA_CA_CERTS: undefined });
    expect(result.exitCode).toBe(6);
    const [tls] = only(report, [['serve.tls', 'failure']]);
    expect(tls!.message).toMatch(/a seller's browser would refuse the certificate of localhost .*chain does not lead to a CA this machine trusts/);
  });

  it('a trusted certificate with days left below 14: a warning (exit 3) with the days left and the renewal, serve still answers', async () => {
    const h = await setup({ redirectUri: `${expiring.base}/callback` });
    const { result, report } = await h.doctor({ AMZ_TOKEN_BASE_URL: expiring.base, NODE_EXTRA_CA_CERTS: expiring.nginx.tls.caFile });
    expect(result.exitCode).toBe(3);
    expect(report.status).toBe('warning');
    const [tls] = only(report, [['serve.tls', 'warning']]);
    // openssl issued it for SHORT_CERT_DAYS moments ago (under the same clock, faked or not): one whole day fewer is left.
    expect(tls!.message).toBe(`the certificate of localhost is trusted and names the host (issued by amz-token serve test CA (throwaway)); ${SHORT_CERT_DAYS - 1} days left`);
    expect(tls!.fix).toBe('renew it: certbot renew (or your CA\'s tool), then reload the proxy');
    expect(report.checks.find((c) => c.check === 'serve.health')!.message).toContain(`${expiring.base}/healthz answers 200`);

    // What a cron job's mail carries (--quiet): this one line, the days left and the renewal.
    const quiet = await h.s.run(['doctor', '--quiet'], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, AMZ_TOKEN_BASE_URL: expiring.base, NODE_EXTRA_CA_CERTS: expiring.nginx.tls.caFile, ...sqs.awsEnv } });
    outputs.push(String(quiet.stdout), String(quiet.stderr));
    expect(quiet.exitCode).toBe(3);
    expect(String(quiet.stderr).trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^warning\\s+serve\\s+tls\\s+.*; ${SHORT_CERT_DAYS - 1} days left -> renew it: certbot renew`))]);
  });

  it("a redirect URI that is not serve's: a warning (exit 3) naming both URIs", async () => {
    const h = await setup({ redirectUri: 'https://relay.example.com/amz/' });
    const { result, report } = await h.doctor();
    expect(result.exitCode).toBe(3);
    const [redirect] = only(report, [['app.redirect-uri', 'warning']]);
    expect(redirect!.message).toContain(`serve sends ${up.base}/callback as the redirect URI, but the app records https://relay.example.com/amz/`);
    expect(redirect!.fix).toContain(`amz-token app set ${h.app} --redirect-uri ${up.base}/callback`);
  });

  it('a secret queue that does not answer is exit 7; one whose policy shuts Amazon out is exit 8', async () => {
    const silent = await setup({ queue: 'silent' });
    const { result, report } = await silent.doctor({ AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${await freePort()}` });
    expect(result.exitCode).toBe(7);
    const [queue] = only(report, [['app.queue', 'failure']]);
    expect(queue!.message).toMatch(/Amazon SQS is unreachable or failing/);

    const closed = await setup({ queue: 'no-policy' });
    const second = await closed.doctor();
    expect(second.result.exitCode).toBe(8);
    const [policy] = only(second.report, [['app.queue-policy', 'failure']]);
    expect(policy!.message).toContain('437568002678');
  });

  it("remind's mail settings: a sound one logs in at the SMTP server; no password is exit 2, a wrong one exit 7; the password never shown", async () => {
    // The SMTP password is one entry per store, and remind's tests keep theirs in the shared test
    // keychain: this setup gets a secrets file of its own, so neither changes the other's.
    const h = await setup({ env: { AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: join(mkdtempSync(join(tmpdir(), 'amz-token-doctor-mail-')), 'secrets.json') } });
    for (const [key, value] of [['smtp-url', smtp.url], ['mail-from', 'Acme Integrations <ops@acme.example>']] as const) {
      expect((await h.s.run(['config', 'set', key, value])).exitCode).toBe(0);
    }
    // This machine trusts nginx's CA and the mail server's, as it would trust two public ones.
    const cas = join(mkdtempSync(join(tmpdir(), 'amz-token-cas-')), 'ca.pem');
    writeFileSync(cas, readFileSync(up.nginx.tls.caFile, 'utf8') + readFileSync(smtp.caFile, 'utf8'));
    const env = { NODE_EXTRA_CA_CERTS: cas };

    const attempts = smtp.loginAttempts;
    const missing = await h.doctor(env);
    expect(missing.result.exitCode).toBe(2);
    const [password] = only(missing.report, [['mail.password', 'failure'], ['mail.server', 'skipped']]);
    expect(password).toMatchObject({ message: expect.stringContaining(`no SMTP password is stored for ${smtp.user}`), fix: 'amz-token config set-secret smtp-password' });
    expect(smtp.loginAttempts).toBe(attempts);

    expect((await h.s.run(['config', 'set-secret', 'smtp-password'], { input: smtp.password })).exitCode).toBe(0);
    const sound = await h.doctor(env);
    expect(sound.result.exitCode, JSON.stringify(sound.report.checks.filter((c) => c.status !== 'ok'))).toBe(0);
    expect(sound.report.checks.filter((c) => c.subject === 'mail').map((c) => c.check)).toEqual(['mail.settings', 'mail.password', 'mail.server']);
    expect(sound.report.checks.find((c) => c.check === 'mail.server')!.message).toMatch(new RegExp(`^SMTP server 127\\.0\\.0\\.1:${smtp.port} answers over TLS with a trusted certificate and accepts the login of ${smtp.user}$`));
    expect(smtp.loginAttempts).toBe(attempts + 1);
    expect(smtp.messages).toEqual([]);
    // TLS is verified as remind verifies it: a mail server whose CA this machine does not trust fails before the login.
    const untrusted = await h.doctor();
    expect(untrusted.result.exitCode).toBe(7);
    expect(only(untrusted.report, [['mail.server', 'failure']])[0]!.message).toMatch(/TLS failed, the certificate is not accepted/);
    expect(smtp.loginAttempts).toBe(attempts + 1);

    const wrong = 'not the smtp password';
    secrets.push(wrong);
    expect((await h.s.run(['config', 'set-secret', 'smtp-password'], { input: wrong })).exitCode).toBe(0);
    const refused = await h.doctor(env);
    expect(refused.result.exitCode).toBe(7);
    const [server] = only(refused.report, [['mail.server', 'failure']]);
    expect(server).toMatchObject({ exitCode: 7, message: expect.stringMatching(/^SMTP server 127\.0\.0\.1:\d+ refused the login of /), fix: expect.stringContaining('amz-token config set-secret smtp-password') });
  });

  it('--app and --profile narrow the checks; an unknown code of either is exit 5', async () => {
    const h = await setup();
    const { report } = await h.doctor({}, ['--profile', h.profile]);
    expect(new Set(report.checks.filter((c) => c.subject.startsWith('profile ')).map((c) => c.subject))).toEqual(new Set([`profile ${h.profile}`]));
    const missing = await h.s.run(['doctor', '--app', 'nope'], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl } });
    expect(missing.exitCode).toBe(5);
  });
});

describe('amz-token doctor with a locked keychain', () => {
  const SCRIPT = resolve(import.meta.dirname, '../../scripts/secret-service.sh');
  let ss: Record<string, string> | undefined;

  afterAll(async () => {
    if (ss?.AMZ_TOKEN_TEST_SS_DIR) await execa('bash', [SCRIPT, 'stop', ss.AMZ_TOKEN_TEST_SS_DIR]);
  });

  it('is a store finding (exit 8) within the run, never a hang; the checks that need a secret are skipped', async () => {
    const started = await execa('bash', ['-c', `set -e; exports=$(bash ${JSON.stringify(SCRIPT)} start); eval "$exports"; env -0`], { env: { AMZ_TOKEN_TEST_SS_PROMPTER: '1' } });
    const wanted = ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'AMZ_TOKEN_TEST_SS_DIR'];
    const bus: Record<string, string> = Object.fromEntries(started.stdout.split('\0').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]).filter(([name]) => wanted.includes(name!)));
    ss = bus;
    const s = sandbox();
    Object.assign(s.env, { DBUS_SESSION_BUS_ADDRESS: bus.DBUS_SESSION_BUS_ADDRESS!, XDG_RUNTIME_DIR: bus.XDG_RUNTIME_DIR!, XDG_DATA_HOME: bus.XDG_DATA_HOME! });
    writeConfig(s.configDir, { apps: { 'my-app': { clientSecretCreatedAt: new Date().toISOString() } }, profiles: { p1: { expiresAt: new Date(Date.now() + 300 * DAY).toISOString() } } });
    await execa('secret-tool', ['store', '--label', 'x', 'service', 'amz-token', 'username', 'app/my-app/client-secret'], { env: bus, input: FAKE.clientSecret });
    await execa('dbus-send', ['--session', '--dest=org.freedesktop.secrets', '--print-reply', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/aliases/default'], { env: bus });

    const result = await s.run(['doctor', '--json'], { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, DISPLAY: undefined, WAYLAND_DISPLAY: undefined }, timeout: 60_000 });
    outputs.push(String(result.stdout), String(result.stderr));
    expect(result.timedOut).toBe(false);
    expect(result.exitCode, String(result.stderr)).toBe(8);
    const report = JSON.parse(String(result.stdout)) as Report;
    const store = report.checks.find((c) => c.check === 'store.opens')!;
    expect(store.status).toBe('failure');
    expect(store.message).toMatch(/is locked/);
    expect(store.fix).toContain('secret-tool search --unlock');
    expect(report.checks.filter((c) => c.check === 'app.secret' || c.check === 'profile.grant').map((c) => c.status)).toEqual(['skipped', 'skipped']);
  }, 90_000);
});
