// `amz-token status`: when each authorization and each app's client secret
// expires, as a table or JSON, with an exit code scripts can branch on.
// Offline by design: it reads config.json only, never the network or keychain;
// only --check (loaded lazily from ../checks/) asks Amazon.

import type { Command } from 'commander';
import { ExitCode, mostUrgent, NotFoundError, UsageError } from '../errors.js';
import type { Config } from '../config/config.js';
import * as validate from '../validate.js';
import {
  authorizationExitCode,
  clientSecretExitCode,
  clientSecretExpiry,
  daysLeft,
  DEFAULT_WARN_DAYS,
  expiryState,
  type ExpiryState,
} from '../expiry.js';
import { formatDate } from './dates.js';
import { findProfile, readConfig, selectedProfileName, type CommandContext } from './context.js';
import { helpFooter } from './help.js';
import { table } from '../output.js';
// Types only: the check code itself (undici, keychain) loads on --check.
import type { CheckResult, LiveCheck, LiveCheckOptions } from '../checks/live-check.js';
import { checkCell, checkProblemLines, marketplacesCell, withLiveChecks } from './status-check.js';

const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

export interface StatusOptions {
  profile?: string;
  warnDays: number;
  at?: Date;
  /** --check: prove each profile live at Amazon. */
  check?: LiveCheckOptions;
  /** --ics: also write the dates as an iCalendar file ("-": to stdout, instead of the table). */
  ics?: string;
}

/** By date; with --check, `rejected` (Amazon refused the token) or `unknown` (Amazon could not be asked). */
export type ProfileState = ExpiryState | 'rejected' | 'unknown';

export interface ProfileStatus {
  profile: string;
  app: string;
  region: string;
  marketplace: string;
  role: string;
  sellingPartnerId: string;
  authorizedAt: string | null;
  expiresAt: string;
  daysLeft: number;
  state: ProfileState;
  /** --check only: true when Amazon accepted the token (and, --deep, the Sellers API call). */
  checked?: boolean;
  checkedAt?: string | null;
  check?: { result: CheckResult; message: string };
  /** --deep only: marketplaces the Sellers API lists; null when skipped or failed. */
  marketplaces?: string[] | null;
}

export interface AppStatus {
  app: string;
  clientSecretExpiresAt: string;
  daysLeft: number;
  state: ExpiryState;
}

export interface StatusReport {
  at: string;
  warnDays: number;
  profiles: ProfileStatus[];
  apps: AppStatus[];
  exitCode: ExitCode;
}

/** The pure part of status: config + date in, report out. */
export function statusReport(config: Config, at: Date, warnDays: number, only?: string): StatusReport {
  const names = only === undefined ? Object.keys(config.profiles).sort() : [only];
  if (only !== undefined) findProfile(config, only);
  if (names.length === 0) {
    throw new NotFoundError('no profiles configured', 'add one with amz-token request or amz-token import');
  }
  const profiles = names.map((name): ProfileStatus & { state: ExpiryState } => {
    const p = config.profiles[name]!;
    const expiresAt = new Date(p.expiresAt);
    return {
      profile: name,
      app: p.app,
      region: p.region,
      marketplace: p.marketplace,
      role: p.role,
      sellingPartnerId: p.sellingPartnerId,
      authorizedAt: p.authorizedAt ?? null,
      expiresAt: expiresAt.toISOString(),
      daysLeft: daysLeft(expiresAt, at),
      state: expiryState(expiresAt, at, warnDays),
    };
  });
  const appNames = only === undefined ? Object.keys(config.apps).sort() : [...new Set(profiles.map((p) => p.app))];
  const apps = appNames
    .filter((name) => config.apps[name])
    .map((name): AppStatus => {
      const expires = clientSecretExpiry(new Date(config.apps[name]!.clientSecretCreatedAt));
      return { app: name, clientSecretExpiresAt: expires.toISOString(), daysLeft: daysLeft(expires, at), state: expiryState(expires, at, warnDays) };
    });
  const exitCode = mostUrgent([
    ...profiles.map((p) => authorizationExitCode(p.state)),
    ...apps.map((a) => clientSecretExitCode(a.state)),
  ]);
  return { at: at.toISOString(), warnDays, profiles, apps, exitCode };
}

export async function runStatus(ctx: CommandContext, opts: StatusOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  const at = opts.at ?? now;
  const byDate = statusReport(config, at, opts.warnDays, opts.profile);
  let checks: LiveCheck[] | undefined;
  if (opts.check) {
    const { runLiveChecks } = await import('../checks/live-check.js');
    checks = await runLiveChecks(ctx.deps, config, byDate.profiles.map((p) => p.profile), opts.check);
  }
  const report = checks ? withLiveChecks(byDate, checks, opts.check!.deep) : byDate;
  if (opts.ics !== undefined) {
    const { writeCalendar } = await import('../calendar/reminders.js');
    await writeCalendar(ctx, report, opts.ics);
    if (opts.ics === '-') return report.exitCode;
  }
  if (ctx.global.json) {
    const { exitCode: _exitCode, ...json } = report;
    ctx.out.json(json);
    return report.exitCode;
  }
  const c = ctx.out.color;
  const paint = (state: ProfileState) => (state === 'ok' ? c.green(state) : state === 'expiring' || state === 'unknown' ? c.yellow(state) : c.red(state));
  const deep = opts.check?.deep === true;
  const rows = [['PROFILE', 'SELLER', 'REGION', 'EXPIRES', 'STATE', ...(checks ? ['CHECK'] : []), ...(deep ? ['MARKETPLACES'] : [])]];
  report.profiles.forEach((p, i) => {
    const check = checks?.[i];
    rows.push([
      p.profile,
      `${p.sellingPartnerId} (${p.marketplace}${p.role === 'vendor' ? ', vendor' : ''})`,
      p.region,
      formatDate(new Date(p.expiresAt), at),
      paint(p.state),
      ...(check ? [checkCell(check, c)] : []),
      ...(check && deep ? [marketplacesCell(check)] : []),
    ]);
  });
  for (const line of table(rows, visibleLength)) ctx.out.result(line);

  const troubledApps = report.apps.filter((a) => a.state !== 'ok');
  if (troubledApps.length) {
    ctx.out.result('');
    const appRows = [['APP', 'CLIENT SECRET EXPIRES', 'STATE']];
    for (const a of troubledApps) appRows.push([a.app, formatDate(new Date(a.clientSecretExpiresAt), at), paint(a.state)]);
    for (const line of table(appRows, visibleLength)) ctx.out.result(line);
  }

  const asOf = opts.at ? ` by ${opts.at.toISOString().slice(0, 10)}` : '';
  byDate.profiles.forEach((p, i) => {
    const check = checks?.[i];
    // A rejected token gets its own line below, with the same fix.
    if (p.state === 'ok' || check?.result === 'rejected') return;
    const stillWorks = p.state === 'expired' && check?.result === 'ok' ? ' (Amazon still accepts its token: if it was renewed elsewhere, re-import it with the new date)' : '';
    ctx.out.info(`${p.profile} ${p.state === 'expired' ? 'has expired' : 'expires soon'}${asOf}; run: amz-token renew --profile ${p.profile}${stillWorks}`);
  });
  for (const a of troubledApps) {
    ctx.out.info(
      `the client secret of app ${a.app} ${a.state === 'expired' ? 'has expired' : 'expires soon'}${asOf}; rotate it in the Developer Console, then run: amz-token app set-secret ${a.app}`,
    );
  }
  if (checks) for (const line of checkProblemLines(report.profiles, checks)) ctx.out.info(line);
  return report.exitCode;
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

export function registerStatus(program: Command, ctxFor: (cmd: Command) => CommandContext, setExit: (code: ExitCode) => void): void {
  program
    .command('status')
    .description('show when each authorization and client secret expires (offline unless --check)')
    .option('--warn-days <n>', 'warn this many days before expiry', String(DEFAULT_WARN_DAYS))
    .option('--at <date>', 'evaluate as of another date, e.g. the end of a holiday freeze')
    .option('--check', 'also prove each profile works now: a refresh grant at Login with Amazon (the token is never shown)')
    .option('--deep', 'with --check, seller profiles also call the Sellers API and list their marketplaces (implies --check)')
    .option('--concurrency <n>', `check at most this many profiles at once (1-${MAX_CONCURRENCY})`, String(DEFAULT_CONCURRENCY))
    .option('--ics <file>', 'also write the dates to an iCalendar file, with reminders (- prints it on stdout instead of the table)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'amz-token status',
          'amz-token status --profile shop-de --json',
          'amz-token status --at 2027-01-06 --warn-days 14 || notify-team',
          'amz-token status --check --quiet || page-oncall',
          'amz-token status --check --deep --concurrency 8 --json',
          'amz-token status --quiet --ics /srv/www/amz-token.ics   # a calendar the team subscribes to',
        ],
        '0 ok, 3 expiring within --warn-days, 4 expired or (--check) token rejected, 9 client secret expired or (--check) rejected, ' +
          '5 no such profile or nothing stored, 7 (--check) Amazon unreachable, 8 (--check) keychain unavailable, 2 usage',
      ),
    )
    .action(async (o: { warnDays: string; at?: string; check?: boolean; deep?: boolean; concurrency: string; ics?: string }, cmd: Command) => {
      const ctx = ctxFor(cmd);
      if (o.ics === '-' && ctx.global.json) throw new UsageError('--ics - and --json both want stdout; write the calendar to a file instead');
      const concurrency = validate.nonNegativeInteger(o.concurrency, '--concurrency', MAX_CONCURRENCY);
      if (concurrency < 1) throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got "${o.concurrency}"`);
      const deep = o.deep === true;
      setExit(
        await runStatus(ctx, {
          profile: selectedProfileName(ctx),
          warnDays: validate.nonNegativeInteger(o.warnDays, '--warn-days', 365),
          at: o.at === undefined ? undefined : validate.date(o.at, '--at'),
          check: o.check === true || deep ? { deep, concurrency } : undefined,
          ...(o.ics !== undefined ? { ics: o.ics } : {}),
        }),
      );
    });
}
