// The Prometheus view of the status report (src/report/prometheus.ts): families,
// labels, values and the exposition format's escaping. promtool reads the real
// CLI output in test/e2e/metrics.test.ts.
import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, prometheusText } from '../../src/report/prometheus.js';
import { statusReport, withLiveChecks } from '../../src/report/status-report.js';
import { failed, type LiveCheck } from '../../src/checks/live-check.js';
import { AuthorizationExpiredError, ExitCode } from '../../src/errors.js';
import type { Config } from '../../src/config/config.js';
import { FAKE } from '../support/fake-deps.js';

const config: Config = {
  version: 1,
  apps: { 'my-app': { appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://e.example/cb', draft: false, clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } },
  profiles: {
    'shop-de': { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE12345', expiresAt: '2027-01-10T00:00:00.000Z' },
    'vendor-fr': { app: 'my-app', region: 'eu', marketplace: 'FR', role: 'vendor', sellingPartnerId: 'A2EXAMPLEVEND1', expiresAt: '2026-12-15T12:00:00.500Z' },
  },
};
const at = new Date('2027-01-06T00:00:00Z'); // as with --at: the states differ from now, the metrics do not
const now = new Date('2026-11-27T12:00:00Z');

/** sample lines as {name, labels, value}; HELP/TYPE as maps. */
function parse(text: string) {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = /^([a-z_]+)(\{.*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: sample[1]!, labels: sample[2] ?? '', value: Number(sample[3]) });
  }
  return { help, type, samples };
}

describe('prometheusText', () => {
  it('has one gauge per authorization and per app, expiry in epoch seconds, and when it was generated', () => {
    const text = prometheusText(statusReport(config, at, 30, undefined, now));
    expect(text.endsWith('\n')).toBe(true);
    const { help, type, samples } = parse(text);
    expect([...type.entries()]).toEqual([
      ['amz_token_authorization_expiry_timestamp_seconds', 'gauge'],
      ['amz_token_client_secret_expiry_timestamp_seconds', 'gauge'],
      ['amz_token_status_generated_timestamp_seconds', 'gauge'],
    ]);
    expect([...help.keys()]).toEqual([...type.keys()]);
    expect(samples).toEqual([
      {
        name: 'amz_token_authorization_expiry_timestamp_seconds',
        labels: '{profile="shop-de",app="my-app",region="eu",marketplace="DE",role="seller",selling_partner_id="A3EXAMPLE12345"}',
        value: Date.parse('2027-01-10T00:00:00Z') / 1000,
      },
      {
        name: 'amz_token_authorization_expiry_timestamp_seconds',
        labels: '{profile="vendor-fr",app="my-app",region="eu",marketplace="FR",role="vendor",selling_partner_id="A2EXAMPLEVEND1"}',
        value: Date.parse('2026-12-15T12:00:00.500Z') / 1000,
      },
      { name: 'amz_token_client_secret_expiry_timestamp_seconds', labels: '{app="my-app"}', value: Date.parse('2027-03-30T00:00:00Z') / 1000 },
      // The real clock, not --at: staleness alerts need the time of writing.
      { name: 'amz_token_status_generated_timestamp_seconds', labels: '', value: now.getTime() / 1000 },
    ]);
  });

  it('adds check success and check time per profile only after --check', () => {
    const ok: LiveCheck = { result: 'ok', message: 'Amazon issued an access token', exitCode: ExitCode.OK, checkedAt: '2026-11-27T12:00:01.000Z', finishedAt: '2026-11-27T12:00:01.000Z' };
    const rejected = { ...failed(new AuthorizationExpiredError('Amazon rejected the refresh token (invalid_grant)')), finishedAt: '2026-11-27T12:00:02.250Z' };
    const report = withLiveChecks(statusReport(config, at, 30, undefined, now), [ok, rejected], false);
    const { type, samples } = parse(prometheusText(report));
    expect([...type.keys()]).toContain('amz_token_check_success');
    const of = (name: string) => samples.filter((s) => s.name === name).map((s) => [s.labels.match(/profile="([^"]+)"/)![1], s.value]);
    expect(of('amz_token_check_success')).toEqual([['shop-de', 1], ['vendor-fr', 0]]);
    expect(of('amz_token_check_timestamp_seconds')).toEqual([['shop-de', Date.parse('2026-11-27T12:00:01Z') / 1000], ['vendor-fr', Date.parse('2026-11-27T12:00:02.250Z') / 1000]]);
    // Same labels as the expiry series, so rules and dashboards can join them.
    const labels = (name: string) => samples.filter((s) => s.name === name).map((s) => s.labels);
    expect(labels('amz_token_check_success')).toEqual(labels('amz_token_authorization_expiry_timestamp_seconds'));
    expect(parse(prometheusText(statusReport(config, at, 30))).type.has('amz_token_check_success')).toBe(false);
  });

  it('leaves out a family with no sample rather than print a bare HELP/TYPE', () => {
    const noApps = prometheusText(statusReport({ ...config, apps: {} }, at, 30));
    expect(noApps).not.toContain('client_secret');
    expect(noApps).toContain('amz_token_authorization_expiry_timestamp_seconds{');
  });

  it('escapes label values as the exposition format requires, whatever a hand-edited config holds', () => {
    expect(escapeLabelValue('plain-name_1.x')).toBe('plain-name_1.x');
    expect(escapeLabelValue('a\\b')).toBe('a\\\\b');
    expect(escapeLabelValue('say "hi"')).toBe('say \\"hi\\"');
    expect(escapeLabelValue('two\nlines')).toBe('two\\nlines');
    expect(escapeLabelValue('ünïcødé {x}=,')).toBe('ünïcødé {x}=,');
    const odd: Config = { ...config, profiles: { 'a"b\\c\nd': { ...config.profiles['shop-de']! } } };
    const line = prometheusText(statusReport(odd, at, 30)).split('\n').find((l) => l.startsWith('amz_token_authorization_expiry'))!;
    expect(line).toContain('{profile="a\\"b\\\\c\\nd",app=');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('escapes HELP text: backslash and line feed only', () => {
    expect(escapeHelp('a\\b\n"c"')).toBe('a\\\\b\\n"c"');
  });
});
