// The status report as operators read it in a terminal: a table for stdout,
// and one line of advice per problem, naming the command that fixes it, for stderr.

import type { ChalkInstance } from 'chalk';
import { format } from 'date-fns/format';
import { formatDate } from '../dates.js';
import { table, visibleLength } from '../output.js';
import type { LiveCheck } from '../checks/result.js';
import { dateState, dueTime, renewCommand, setSecretCommand, type ProfileState, type ProfileStatus, type StatusReport } from './status-report.js';

export interface RenderedStatus {
  /** The table (and the table of troubled apps), for stdout. */
  table: string[];
  /** What needs doing, one line each naming the command, for stderr: all that `-q` prints. */
  advice: string[];
  /** What is worth knowing but needs nothing done (a skipped --deep call), for stderr. */
  notes: string[];
}

/**
 * The table as wide as the terminal allows: all columns while they fit with the expiry
 * whole (others cut with "…"); else PROFILE, EXPIRES and STATE only; below even that,
 * one block per profile, so that no row ever wraps. Pipes get the whole table.
 */
function fitted(
  rows: string[][],
  ordered: ReadonlyArray<{ p: ProfileStatus; check?: LiveCheck | undefined }>,
  maxWidth: number | undefined,
  expires: (p: ProfileStatus) => string,
  paint: (state: ProfileState) => string,
): string[] {
  if (maxWidth === undefined) return table(rows);
  // Cutting SELLER or a long name is fine; cutting the expiry would lose "(in 12 days)", what the table is for.
  const fits = (lines: string[]) =>
    lines.every((line) => visibleLength(line) <= maxWidth) && lines.slice(1).every((line, i) => line.includes(expires(ordered[i]!.p)));
  const full = table(rows, { maxWidth });
  if (fits(full)) return full;
  const narrow = table([['PROFILE', 'EXPIRES', 'STATE'], ...ordered.map(({ p }) => [p.profile, expires(p), paint(p.state)])], { maxWidth });
  if (fits(narrow)) return narrow;
  const cut = (text: string) => (visibleLength(text) <= maxWidth ? text : `${text.slice(0, Math.max(1, maxWidth - 1))}…`);
  // "2027-01-10 09:12 (in 43 days)" on two lines: the date, then how far off.
  return ordered.flatMap(({ p, check }) => [
    cut(p.profile),
    `  ${paint(p.state)}`,
    ...expires(p).replace(/\)$/, '').split(' (').map((part) => cut(`  ${part}`)),
    ...(check ? [cut(`  check: ${check.result}`)] : []),
  ]);
}

/** `asOf`: the date given with --at, if any; advice then relates each expiry to it. `maxWidth`: the terminal's. */
export function renderStatusTable(report: StatusReport, color: ChalkInstance, options: { asOf?: Date; maxWidth?: number } = {}): RenderedStatus {
  const { asOf, maxWidth } = options;
  const at = new Date(report.at);
  const checks = report.checks;
  const deep = report.deep === true;
  const paint = (state: ProfileState) =>
    state === 'ok' ? color.green(state) : state === 'expiring' || state === 'unknown' ? color.yellow(state) : color.red(state);

  const rows = [['PROFILE', 'SELLER', 'REGION', 'EXPIRES', 'STATE', ...(checks ? ['CHECK'] : []), ...(deep ? ['MARKETPLACES'] : [])]];
  // What needs action first, most urgent first (as on the HTML page); then the rest in name order,
  // as in the report and JSON. With 600 profiles the few due must not hide among them.
  const due = (p: ProfileStatus) => (p.state === 'ok' ? Infinity : dueTime(p.state, new Date(p.expiresAt)));
  const ordered = report.profiles.map((p, i) => ({ p, check: checks?.[i] }));
  ordered.sort((a, b) => {
    const [x, y] = [due(a.p), due(b.p)];
    return x === y ? 0 : x < y ? -1 : 1; // stable: equals keep name order
  });
  ordered.forEach(({ p, check }) => {
    rows.push([
      p.profile,
      `${p.sellingPartnerId}${p.storeName ? ` ${p.storeName}` : ''} (${p.marketplace}${p.role === 'vendor' ? ', vendor' : ''})`,
      p.region,
      formatDate(new Date(p.expiresAt), at),
      paint(p.state),
      ...(check ? [checkCell(check, color)] : []),
      ...(check && deep ? [marketplacesCell(check)] : []),
    ]);
  });
  // No profiles: no header either, so that an app whose secret fails stands alone.
  const lines = report.profiles.length === 0 ? [] : fitted(rows, ordered, maxWidth, (p) => formatDate(new Date(p.expiresAt), at), paint);

  const appChecks = report.appChecks;
  const troubledApps = report.apps.filter((a) => a.state !== 'ok' || (a.check && a.check.result !== 'ok'));
  if (troubledApps.length) {
    const appRows = [['APP', 'CLIENT SECRET EXPIRES', 'STATE', ...(appChecks ? ['CHECK'] : [])]];
    for (const a of troubledApps) {
      const check = appChecks?.[a.app];
      appRows.push([a.app, formatDate(new Date(a.clientSecretExpiresAt), at), paint(a.state), ...(appChecks ? [check ? checkCell(check, color) : '-'] : [])]);
    }
    // An app whose secret fails shows even when no profile uses it.
    lines.push(...(lines.length ? [''] : []), ...table(appRows, maxWidth === undefined ? {} : { maxWidth }));
  }

  // With --at the state is as of that day (in the operator's time zone, like the table):
  // say how the expiry relates to it, never "expires soon by <day>", which reads as a deadline.
  const day = (date: Date | string) => format(new Date(date), 'yyyy-MM-dd');
  const when = (state: ProfileState, expiresAt: string, soon: string) =>
    !asOf
      ? state === 'expired' ? 'has expired' : soon
      : state === 'expired'
        ? `expires ${day(expiresAt)}, before ${day(asOf)}`
        : `expires ${day(expiresAt)}, within ${report.warnDays} days of ${day(asOf)}`;
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
    advice.push(`${p.profile} ${when(byDate, p.expiresAt, 'expires soon')}; run: ${renewCommand(p.profile)}${stillWorks}`);
  });
  for (const a of troubledApps.filter((t) => t.state !== 'ok')) {
    advice.push(
      `the client secret of app ${a.app} ${when(a.state, a.clientSecretExpiresAt, 'expires soon')}; rotate it in the Developer Console, then run: ${setSecretCommand(a.app)}`,
    );
  }
  const notes: string[] = [];
  for (const p of report.profiles) {
    if (p.invitation) notes.push(`${p.profile}: invitation ${p.invitation.id} pending, its link works until ${formatDate(new Date(p.invitation.expiresAt), at)}`);
    if (p.reminded) notes.push(`${p.profile}: last reminded ${formatDate(new Date(p.reminded.sentAt), at)}, by mail to ${p.reminded.to}`);
  }
  if (checks) {
    const lines = checkLines(report.profiles, checks);
    advice.push(...lines.problems);
    notes.push(...lines.notes);
  }
  // An app's secret proven wrong: once, unless a profile's check already said the same.
  for (const check of Object.values(appChecks ?? {})) {
    if (check.result === 'ok') continue;
    const line = `${check.message}${check.hint ? `; ${check.hint}` : ''}`;
    if (!advice.includes(line)) advice.push(line);
  }
  return { table: lines, advice, notes };
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
