// How `status --check` results look: merged into the date report (and so into
// the exit code), as the CHECK and MARKETPLACES cells, and as one line per problem.

import type { ChalkInstance } from 'chalk';
import { mostUrgent } from '../errors.js';
import type { LiveCheck } from '../checks/live-check.js';
import type { ProfileStatus, StatusReport } from './status.js';

/** Adds live-check results (one per profile, same order) to a date report; the exit code covers both. */
export function withLiveChecks(report: StatusReport, checks: readonly LiveCheck[], deep: boolean): StatusReport {
  const profiles = report.profiles.map((p, i): ProfileStatus => {
    const c = checks[i]!;
    return {
      ...p,
      state: c.result === 'rejected' ? 'rejected' : c.result === 'unknown' ? 'unknown' : p.state,
      checked: c.result === 'ok',
      checkedAt: c.checkedAt ?? null,
      check: { result: c.result, message: c.message },
      ...(deep ? { marketplaces: c.marketplaces ?? null } : {}),
    };
  });
  return { ...report, profiles, exitCode: mostUrgent([report.exitCode, ...checks.map((c) => c.exitCode)]) };
}

export function checkCell(check: LiveCheck, c: ChalkInstance): string {
  switch (check.result) {
    case 'ok':
      return c.green('ok');
    case 'rejected':
      return c.red('rejected');
    case 'unknown':
      return c.yellow(`unknown (${check.reason ?? 'failing'})`);
    case 'app-rejected':
      return c.red('app rejected');
    case 'store-unavailable':
      return c.yellow('keychain unavailable');
    case 'not-found':
      return c.red('not stored');
    case 'failed':
      return c.red('error');
  }
}

export function marketplacesCell(check: LiveCheck): string {
  if (check.marketplaces) return check.marketplaces.length ? check.marketplaces.join(',') : 'none';
  return check.deepSkipped ? 'skipped (vendor)' : '-';
}

/** One line per problem, naming the fix; app and keychain problems once, however many profiles they hit. */
export function checkProblemLines(profiles: readonly ProfileStatus[], checks: readonly LiveCheck[]): string[] {
  const lines = new Set<string>();
  checks.forEach((check, i) => {
    const profile = profiles[i]!.profile;
    const fix = check.hint ? `; ${check.hint}` : '';
    if (check.result === 'ok') {
      if (check.deepSkipped) lines.add(`${profile}: --deep skipped: ${check.deepSkipped}`);
    } else if (check.result === 'app-rejected' || check.result === 'store-unavailable') {
      lines.add(`${check.message}${fix}`);
    } else {
      lines.add(`${profile}: ${check.message}${fix}`);
    }
  });
  return [...lines];
}
