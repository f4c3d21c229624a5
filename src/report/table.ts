// The status report as operators read it in a terminal: a table for stdout,
// and one line of advice per problem, naming the command that fixes it, for stderr.

import type { ChalkInstance } from 'chalk';
import { format } from 'date-fns/format';
import { formatDate } from '../dates.js';
import { table } from '../output.js';
import type { LiveCheck } from '../checks/result.js';
import { dateState, renewCommand, setSecretCommand, type ProfileState, type ProfileStatus, type StatusReport } from './status-report.js';

export interface RenderedStatus {
  /** The table (and the table of troubled apps), for stdout. */
  table: string[];
  /** What needs doing, one line each naming the command, for stderr: all that `-q` prints. */
  advice: string[];
  /** What is worth knowing but needs nothing done (a skipped --deep call), for stderr. */
  notes: string[];
}

/** `asOf`: the date given with --at, if any; advice then says "by <date>". `maxWidth`: the terminal's. */
export function renderStatusTable(report: StatusReport, color: ChalkInstance, options: { asOf?: Date; maxWidth?: number } = {}): RenderedStatus {
  const { asOf, maxWidth } = options;
  const at = new Date(report.at);
  const checks = report.checks;
  const deep = report.deep === true;
  const paint = (state: ProfileState) =>
    state === 'ok' ? color.green(state) : state === 'expiring' || state === 'unknown' ? color.yellow(state) : color.red(state);

  const rows = [['PROFILE', 'SELLER', 'REGION', 'EXPIRES', 'STATE', ...(checks ? ['CHECK'] : []), ...(deep ? ['MARKETPLACES'] : [])]];
  report.profiles.forEach((p, i) => {
    const check = checks?.[i];
    rows.push([
      p.profile,
      `${p.sellingPartnerId} (${p.marketplace}${p.role === 'vendor' ? ', vendor' : ''})`,
      p.region,
      formatDate(new Date(p.expiresAt), at),
      paint(p.state),
      ...(check ? [checkCell(check, color)] : []),
      ...(check && deep ? [marketplacesCell(check)] : []),
    ]);
  });
  const lines = table(rows, maxWidth === undefined ? {} : { maxWidth });

  const troubledApps = report.apps.filter((a) => a.state !== 'ok');
  if (troubledApps.length) {
    const appRows = [['APP', 'CLIENT SECRET EXPIRES', 'STATE']];
    for (const a of troubledApps) appRows.push([a.app, formatDate(new Date(a.clientSecretExpiresAt), at), paint(a.state)]);
    lines.push('', ...table(appRows, maxWidth === undefined ? {} : { maxWidth }));
  }

  // The day the operator typed with --at, in their time zone like the table (toISOString would give UTC's).
  const by = asOf ? ` by ${format(asOf, 'yyyy-MM-dd')}` : '';
  const advice: string[] = [];
  report.profiles.forEach((p, i) => {
    const check = checks?.[i];
    // The date decides this line; a rejected token gets its own line below, with the same fix.
    const byDate = dateState(report, p);
    if (byDate === 'ok' || check?.result === 'rejected') return;
    const stillWorks =
      byDate === 'expired' && check?.result === 'ok'
        ? ' (Amazon still accepts its token: if it was renewed elsewhere, re-import it with the new date)'
        : '';
    advice.push(`${p.profile} ${byDate === 'expired' ? 'has expired' : 'expires soon'}${by}; run: ${renewCommand(p.profile)}${stillWorks}`);
  });
  for (const a of troubledApps) {
    advice.push(
      `the client secret of app ${a.app} ${a.state === 'expired' ? 'has expired' : 'expires soon'}${by}; rotate it in the Developer Console, then run: ${setSecretCommand(a.app)}`,
    );
  }
  const notes: string[] = [];
  for (const p of report.profiles) {
    if (p.invitation) notes.push(`${p.profile}: invitation ${p.invitation.id} pending, its link works until ${formatDate(new Date(p.invitation.expiresAt), at)}`);
  }
  if (checks) {
    const lines = checkLines(report.profiles, checks);
    advice.push(...lines.problems);
    notes.push(...lines.notes);
  }
  return { table: report.profiles.length === 0 ? [] : lines, advice, notes };
}

function checkCell(check: LiveCheck, color: ChalkInstance): string {
  switch (check.result) {
    case 'ok':
      return color.green('ok');
    case 'rejected':
      return color.red('rejected');
    case 'unknown':
      return color.yellow(`unknown (${check.reason ?? 'failing'})`);
    case 'app-rejected':
      return color.red('app rejected');
    case 'store-unavailable':
      return color.yellow('store unavailable');
    case 'not-found':
      return color.red('not stored');
    case 'failed':
      return color.red('error');
  }
}

function marketplacesCell(check: LiveCheck): string {
  if (check.marketplaces) return check.marketplaces.length ? check.marketplaces.join(',') : 'none';
  return check.deepSkipped ? 'skipped (vendor)' : '-';
}

/** One line per problem, naming the fix; app and keychain problems once, however many profiles they hit. */
function checkLines(profiles: readonly ProfileStatus[], checks: readonly LiveCheck[]): { problems: string[]; notes: string[] } {
  const problems = new Set<string>();
  const notes = new Set<string>();
  checks.forEach((check, i) => {
    const profile = profiles[i]!.profile;
    const fix = check.hint ? `; ${check.hint}` : '';
    if (check.result === 'ok') {
      if (check.deepSkipped) notes.add(`${profile}: --deep skipped: ${check.deepSkipped}`);
    } else if (check.result === 'app-rejected' || check.result === 'store-unavailable') {
      problems.add(`${check.message}${fix}`);
    } else {
      problems.add(`${profile}: ${check.message}${fix}`);
    }
  });
  return { problems: [...problems], notes: [...notes] };
}
