// `status --format prometheus` and `--metrics-file`: the status report as Prometheus
// metrics (text exposition format 0.0.4), for node_exporter's textfile collector.
// Expiry dates as epoch seconds, not days left: the alert rules
// (contrib/prometheus/amz-token.rules.yml) subtract time(), so they stay true between writes.

import type { ProfileStatus, StatusReport } from './status-report.js';

interface Sample {
  labels: ReadonlyArray<readonly [name: string, value: string]>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

/** The whole metrics text, ending in a newline. Families without a sample are left out. */
export function prometheusText(report: Pick<StatusReport, 'generatedAt' | 'profiles' | 'apps' | 'checks'>): string {
  const families: Family[] = [
    {
      name: 'amz_token_authorization_expiry_timestamp_seconds',
      help: 'When the SP-API authorization (the seller\'s refresh-token grant) expires, in seconds since the Unix epoch.',
      samples: report.profiles.map((p) => ({ labels: profileLabels(p), value: seconds(p.expiresAt) })),
    },
    {
      name: 'amz_token_client_secret_expiry_timestamp_seconds',
      help: 'When the LWA client secret of the app expires, in seconds since the Unix epoch.',
      samples: report.apps.map((a) => ({ labels: [['app', a.app]], value: seconds(a.clientSecretExpiresAt) })),
    },
  ];
  const checks = report.checks;
  if (checks) {
    families.push(
      {
        name: 'amz_token_check_success',
        help: 'Whether Login with Amazon issued an access token for the refresh token at the last check (1) or not (0).',
        samples: report.profiles.map((p) => ({ labels: profileLabels(p), value: p.checked === true ? 1 : 0 })),
      },
      {
        name: 'amz_token_check_timestamp_seconds',
        help: 'When the last check of the authorization ended, whatever its result, in seconds since the Unix epoch.',
        // finishedAt is always set by the checks; generatedAt is a safe stand-in (a little later) should one lack it.
        samples: report.profiles.map((p, i) => ({ labels: profileLabels(p), value: seconds(checks[i]?.finishedAt ?? report.generatedAt) })),
      },
    );
  }
  const checkedApps = report.apps.filter((a) => a.check !== undefined);
  if (checkedApps.length) {
    families.push({
      name: 'amz_token_client_secret_check_success',
      help: "Whether Login with Amazon issued a grantless token for the app's stored client secret at the last check (1) or not (0).",
      samples: checkedApps.map((a) => ({ labels: [['app', a.app]], value: a.checked === true ? 1 : 0 })),
    });
  }
  families.push({
    name: 'amz_token_status_generated_timestamp_seconds',
    help: 'When amz-token wrote these metrics, in seconds since the Unix epoch.',
    samples: [{ labels: [], value: seconds(report.generatedAt) }],
  });
  return families
    .filter((family) => family.samples.length > 0)
    .map(renderFamily)
    .join('');
}

function profileLabels(p: ProfileStatus): Sample['labels'] {
  return [
    ['profile', p.profile],
    ['app', p.app],
    ['region', p.region],
    ['marketplace', p.marketplace],
    ['role', p.role],
    ['selling_partner_id', p.sellingPartnerId],
  ];
}

function renderFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`];
  for (const sample of family.samples) {
    const labels = sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
    lines.push(`${family.name}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`);
  }
  return lines.join('\n') + '\n';
}

/** Label values escape backslash, double quote and line feed (exposition format 0.0.4); anything else is UTF-8 as is. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes backslash and line feed only. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/** ISO 8601 -> seconds since the epoch, keeping milliseconds as decimals. */
function seconds(iso: string): number {
  return new Date(iso).getTime() / 1000;
}
