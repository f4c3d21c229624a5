// What `amz-token doctor` reports: one finding per thing it checked, with a verdict,
// the exit code it stands for, and the fix as a command where one exists. Rendered
// as one line per finding, or as one JSON document for CI.

import { ExitCode, mostUrgent } from '../../errors.js';

export type Verdict = 'ok' | 'warning' | 'failure' | 'skipped';

export interface Finding {
  /** Stable id of the check, for --json and scripts: "app.secret", "serve.tls", ... */
  check: string;
  /** What it is about: "app my-app", "profile shop-de", "store", "serve". */
  subject: string;
  verdict: Verdict;
  /** One line; never a secret. */
  message: string;
  /** The next step, as a command where one exists. */
  fix?: string;
  exitCode: ExitCode;
}

export const ok = (check: string, subject: string, message: string): Finding => ({ check, subject, verdict: 'ok', message, exitCode: ExitCode.OK });

/** Not checked because something it needs is broken (reported by its own finding); counts as nothing. */
export const skipped = (check: string, subject: string, message: string): Finding => ({ check, subject, verdict: 'skipped', message, exitCode: ExitCode.OK });

export function warning(check: string, subject: string, message: string, fix?: string, exitCode: ExitCode = ExitCode.EXPIRING): Finding {
  return { check, subject, verdict: 'warning', message, ...(fix ? { fix } : {}), exitCode };
}

export function failure(check: string, subject: string, message: string, exitCode: ExitCode, fix?: string): Finding {
  return { check, subject, verdict: 'failure', message, ...(fix ? { fix } : {}), exitCode };
}

export interface DoctorReport {
  at: string;
  findings: Finding[];
  /** serve's URIs to register at Amazon, when a base URL is set. */
  register?: { redirectUri: string; loginUri: string };
  exitCode: ExitCode;
}

export function doctorReport(at: Date, findings: Finding[], register?: DoctorReport['register']): DoctorReport {
  return { at: at.toISOString(), findings, ...(register ? { register } : {}), exitCode: mostUrgent(findings.map((f) => f.exitCode)) };
}

/** The worst verdict: failure, then warning, else ok. */
export function overall(report: DoctorReport): 'ok' | 'warning' | 'failure' {
  if (report.findings.some((f) => f.verdict === 'failure')) return 'failure';
  return report.findings.some((f) => f.verdict === 'warning') ? 'warning' : 'ok';
}

export function doctorJson(report: DoctorReport): unknown {
  return {
    at: report.at,
    status: overall(report),
    exitCode: report.exitCode,
    checks: report.findings.map((f) => ({ check: f.check, subject: f.subject, status: f.verdict, message: f.message, fix: f.fix ?? null, exitCode: f.exitCode })),
    ...(report.register ? { register: report.register } : {}),
  };
}

/** Table rows: verdict, subject, check, and the message with its fix after an arrow. */
export function doctorRows(report: DoctorReport): string[][] {
  return report.findings.map((f) => [f.verdict, f.subject, f.check.replace(/^[a-z]+\./, ''), f.fix ? `${f.message} -> ${f.fix}` : f.message]);
}

/** The closing line on stderr: how many of each, and the exit code. */
export function doctorSummary(report: DoctorReport): string {
  const count = (verdict: Verdict) => report.findings.filter((f) => f.verdict === verdict).length;
  const parts = [`${count('ok')} ok`, `${count('warning')} warning${count('warning') === 1 ? '' : 's'}`, `${count('failure')} failure${count('failure') === 1 ? '' : 's'}`];
  if (count('skipped')) parts.push(`${count('skipped')} not checked`);
  return `${parts.join(', ')}; exit ${report.exitCode}`;
}
