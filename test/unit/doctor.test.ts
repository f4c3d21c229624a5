// doctor's judgements that need no network: the queue policy, the clock offset, config.json
// read without being changed, the recorded dates, and the exit code of a set of findings.
// The network checks run end to end in test/e2e/doctor.test.ts.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyLetsAmazonSend } from '../../src/checks/doctor/queue.js';
import { clockFinding } from '../../src/checks/doctor/clock.js';
import { readConfigLeniently } from '../../src/checks/doctor/config-files.js';
import { appRecordFindings, profileRecordFindings } from '../../src/checks/doctor/records.js';
import { doctorReport, failure, ok, warning, doctorJson } from '../../src/checks/doctor/finding.js';
import { writeConfig } from '../support/config-file.js';
import { FAKE, fakeEnvironment } from '../support/fake-deps.js';
import { checkStore } from '../../src/checks/doctor/store.js';
import { checkMail } from '../../src/checks/doctor/mail.js';
import { tlsReason } from '../../src/checks/doctor/serve.js';

const DAY = 86_400_000;
const statement = (extra: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:1:q', ...extra }] });

describe('the queue policy', () => {
  it.each([
    ['the account as an ARN', statement({ Principal: { AWS: 'arn:aws:iam::437568002678:root' } })],
    ['the bare account id, in a list', statement({ Principal: { AWS: ['111111111111', '437568002678'] } })],
    ['anyone', statement({ Principal: '*' })],
    ['sqs:* for the account', statement({ Principal: { AWS: '437568002678' }, Action: ['sqs:*'] })],
  ])('lets Amazon send with %s', (_, policy) => expect(policyLetsAmazonSend(policy)).toBe(true));

  it.each([
    ['another account', statement({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } })],
    ['a Deny', statement({ Principal: { AWS: '437568002678' }, Effect: 'Deny' })],
    ['receive only', statement({ Principal: { AWS: '437568002678' }, Action: 'sqs:ReceiveMessage' })],
    ['no statement', '{"Version":"2012-10-17"}'],
    ['not JSON', 'policy'],
  ])('shuts Amazon out with %s', (_, policy) => expect(policyLetsAmazonSend(policy)).toBe(false));
});

describe('the clock', () => {
  it('is ok within a minute, a warning beyond, and exit 8 past the 5 minutes AWS allows', () => {
    expect(clockFinding(-59_000)).toMatchObject({ verdict: 'ok', exitCode: 0 });
    expect(clockFinding(90_000)).toMatchObject({ verdict: 'warning', exitCode: 3 });
    expect(clockFinding(90_000).message).toContain('90 s ahead of');
    expect(clockFinding(-6 * 60_000)).toMatchObject({ verdict: 'failure', exitCode: 8 });
    expect(clockFinding(-6 * 60_000).message).toContain('360 s behind');
  });
});

describe('config.json as doctor reads it', () => {
  const folder = () => join(mkdtempSync(join(tmpdir(), 'amz-token-doctor-')), 'config');

  it('reports a config.json open to others without changing its mode', () => {
    const dir = folder();
    writeConfig(dir, { apps: { 'my-app': { clientSecretCreatedAt: new Date().toISOString() } } });
    chmodSync(join(dir, 'config.json'), 0o644);
    const reading = readConfigLeniently(dir);
    expect(reading.findings.find((f) => f.check === 'config.mode')).toMatchObject({ verdict: 'warning', fix: `chmod 600 ${join(dir, 'config.json')}` });
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o644);
    expect(reading.config?.apps['my-app']).toBeDefined();
  });

  it('takes a missing config.json as exit 5, and one that is not JSON as exit 2, unchanged', () => {
    expect(readConfigLeniently(folder()).findings).toEqual([expect.objectContaining({ check: 'config.file', verdict: 'failure', exitCode: 5 })]);
    const dir = folder();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'config.json'), '{ not json', { mode: 0o600 });
    const reading = readConfigLeniently(dir);
    expect(reading.config).toBeUndefined();
    expect(reading.findings.find((f) => f.check === 'config.file')).toMatchObject({ verdict: 'failure', exitCode: 2 });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{ not json');
  });

  it('sets aside an app with malformed ids (and its profiles), and reads the rest', () => {
    const dir = folder();
    const now = new Date().toISOString();
    writeConfig(dir, { apps: { good: { clientSecretCreatedAt: now }, bad: { clientSecretCreatedAt: now } }, profiles: { p: { app: 'bad', expiresAt: new Date(Date.now() + 100 * DAY).toISOString() } } });
    const file = join(dir, 'config.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.apps.bad.appId = 'amzn1.sp.solution.not-a-uuid';
    writeFileSync(file, JSON.stringify(raw));
    const reading = readConfigLeniently(dir);
    expect(Object.keys(reading.config!.apps)).toEqual(['good']);
    expect(reading.findings.find((f) => f.subject === 'app bad')).toMatchObject({ check: 'app.ids', verdict: 'failure', exitCode: 9 });
    expect(reading.findings.find((f) => f.subject === 'profile p')).toMatchObject({ verdict: 'skipped' });
  });
});

describe('the recorded dates', () => {
  const now = new Date();
  const app = (createdDaysAgo: number) => ({ appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://relay.example.com/amz/', draft: false, clientSecretCreatedAt: new Date(now.getTime() - createdDaysAgo * DAY).toISOString() });

  it('warns about a client secret within 30 days of its 180, fails one past them (exit 9)', () => {
    const at = (days: number) => appRecordFindings('a', app(days), undefined, now).find((f) => f.check === 'app.secret-expiry')!;
    expect(at(10)).toMatchObject({ verdict: 'ok' });
    expect(at(160)).toMatchObject({ verdict: 'warning', exitCode: 3, fix: 'rotate it in the Developer Console, then amz-token app set-secret a' });
    expect(at(200)).toMatchObject({ verdict: 'failure', exitCode: 9 });
    expect(appRecordFindings('a', { ...app(160), secretQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q' }, undefined, now).find((f) => f.check === 'app.secret-expiry')!.fix).toBe('amz-token app rotate-secret a');
  });

  it('warns about an authorization within 30 days, fails one past its date (exit 4)', () => {
    const profile = (days: number) => ({ app: 'a', region: 'eu' as const, marketplace: 'DE', role: 'seller' as const, sellingPartnerId: 'A3EXAMPLE12345', expiresAt: new Date(now.getTime() + days * DAY).toISOString() });
    const config = { version: 1 as const, apps: {}, profiles: {} };
    expect(profileRecordFindings('p', profile(100), config, now)[0]).toMatchObject({ verdict: 'ok' });
    expect(profileRecordFindings('p', profile(10), config, now)[0]).toMatchObject({ verdict: 'warning', exitCode: 3 });
    expect(profileRecordFindings('p', profile(-1), config, now)[0]).toMatchObject({ verdict: 'failure', exitCode: 4 });
  });
});

describe('the report', () => {
  it('exits with the most urgent finding by the existing order (9 before 4 before 8), 0 when all is ok', () => {
    const now = new Date();
    expect(doctorReport(now, [ok('a', 's', 'm')]).exitCode).toBe(0);
    const report = doctorReport(now, [warning('a', 's', 'm'), failure('b', 's', 'm', 8), failure('c', 's', 'm', 4), failure('d', 's', 'm', 9)]);
    expect(report.exitCode).toBe(9);
    expect(doctorJson(report)).toMatchObject({ status: 'failure', exitCode: 9, checks: [{ check: 'a', status: 'warning' }, { check: 'b' }, { check: 'c' }, { check: 'd' }] });
  });
});

describe('the store', () => {
  it('reports a file store whose file is open to others, and does not open it (which would change its mode)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-doctor-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chmodSync(file, 0o644);
    const { deps } = fakeEnvironment({ env: { AMZ_TOKEN_STORE: 'file', AMZ_TOKEN_SECRETS_FILE: file } });
    const { store, findings } = await checkStore(deps, undefined, () => {});
    expect(store).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ check: 'store.file-mode', verdict: 'failure', exitCode: 8, fix: `chmod 600 ${file}, and consider every secret in it exposed` })]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    chmodSync(file, 0o600);
    const sound = await checkStore(deps, undefined, () => {});
    expect(sound.store).toBeDefined();
    expect(sound.findings.map((f) => [f.check, f.verdict])).toEqual([['store.file-mode', 'ok'], ['store.opens', 'ok']]);
  });
});

describe('the mail settings of remind', () => {
  const config = (settings: { smtpUrl?: string; mailFrom?: string; baseUrl?: string }) => ({ version: 1 as const, apps: {}, profiles: {}, ...settings });
  const sound = { smtpUrl: 'smtps://mailer@mail.example.com', mailFrom: 'Acme <ops@acme.example>', baseUrl: 'https://ops.example.com/amz-token' };

  it('says nothing when none is set', async () => {
    const { deps, store } = fakeEnvironment();
    expect(await checkMail(deps, config({}), store, 1000)).toEqual([]);
  });

  it('a missing setting is exit 2 naming each one, with the commands that set them', async () => {
    const { deps, store } = fakeEnvironment();
    const findings = await checkMail(deps, config({ mailFrom: sound.mailFrom }), store, 1000);
    expect(findings).toEqual([
      expect.objectContaining({ check: 'mail.settings', verdict: 'failure', exitCode: 2, fix: 'amz-token config set smtp-url smtps://USER@HOST; amz-token config set base-url https://HOST/PATH' }),
    ]);
    expect(findings[0]!.message).toBe('remind --send needs smtp-url, a base URL');
  });

  it('a base URL from AMZ_TOKEN_BASE_URL counts, as remind takes it', async () => {
    const { deps, store } = fakeEnvironment({ env: { AMZ_TOKEN_BASE_URL: sound.baseUrl } });
    const findings = await checkMail(deps, config({ smtpUrl: sound.smtpUrl, mailFrom: sound.mailFrom }), store, 1000);
    expect(findings[0]).toMatchObject({ check: 'mail.settings', verdict: 'ok' });
  });

  it('no SMTP password in the store is exit 2 with set-secret, and the server is not tried', async () => {
    const { deps, store } = fakeEnvironment();
    const findings = await checkMail(deps, config(sound), store, 1000);
    expect(findings.map((f) => [f.check, f.verdict, f.exitCode])).toEqual([
      ['mail.settings', 'ok', 0],
      ['mail.password', 'failure', 2],
      ['mail.server', 'skipped', 0],
    ]);
    expect(findings[1]!.fix).toBe('amz-token config set-secret smtp-password');
  });

  it('a store that did not open: the password and the server are not checked (the store has its own finding)', async () => {
    const { deps } = fakeEnvironment();
    const findings = await checkMail(deps, config(sound), undefined, 1000);
    expect(findings.map((f) => [f.check, f.verdict])).toEqual([['mail.settings', 'ok'], ['mail.password', 'skipped'], ['mail.server', 'skipped']]);
  });
});

describe("doctor's words for a certificate a browser refuses", () => {
  it('names the cause in the operator\'s terms, with Node\'s code kept for searching', () => {
    expect(tlsReason('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('it does not name the host (ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(tlsReason('CERT_HAS_EXPIRED')).toBe('it has expired (CERT_HAS_EXPIRED)');
    expect(tlsReason('CERT_NOT_YET_VALID')).toMatch(/^it is not valid yet: check this machine's clock/);
    expect(tlsReason('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toMatch(/^its chain does not lead to a CA this machine trusts/);
    expect(tlsReason('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});
