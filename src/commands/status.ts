// `amz-token status`: when each authorization and each app's client secret
// expires, as a table or JSON, with an exit code scripts can branch on.
// Offline by design: it reads config.json only, never the network or keychain;
// only --check (loaded lazily from ../checks/) asks Amazon.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_WARN_DAYS } from '../expiry.js';
import { readConfig, type CommandContext } from '../context.js';
import { statusReport, withLiveChecks, type StatusReport } from '../report/status-report.js';
import { statusJson } from '../report/json.js';
import { renderStatusTable } from '../report/table.js';
import type { LiveCheckOptions } from '../checks/result.js';
import { helpFooter } from './help.js';
import type { CommandLine } from './command-line.js';
import { dateOf, wholeNumber } from './options.js';
import type { Program } from './command-line.js';

const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;
// Ten minutes: 2,000 healthy profiles at 4 at a time fit; a hanging Amazon cannot hold a cron job for an hour.
const DEFAULT_DEADLINE_SECONDS = 600;
const MAX_DEADLINE_SECONDS = 86_400;

export const STATUS_EXIT_CODES = [
  ExitCode.OK,
  ExitCode.USAGE,
  ExitCode.EXPIRING,
  ExitCode.EXPIRED,
  ExitCode.NOT_FOUND,
  ExitCode.AMAZON_UNAVAILABLE,
  ExitCode.STORE_UNAVAILABLE,
  ExitCode.APP_REJECTED,
] as const;

export interface StatusOptions {
  profile?: string;
  warnDays: number;
  at?: Date;
  /** --check: prove each profile live at Amazon. */
  check?: LiveCheckOptions;
  /** --ics: also write the dates as an iCalendar file ("-": to stdout, instead of the table). */
  ics?: string;
}

export async function runStatus(ctx: CommandContext, opts: StatusOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const at = opts.at ?? ctx.deps.now();
  let report = statusReport(config, at, opts.warnDays, opts.profile);
  if (opts.check) {
    const { runLiveChecks } = await import('../checks/live-check.js');
    const checks = await runLiveChecks(ctx.deps, config, report.profiles.map((p) => p.profile), opts.check);
    report = withLiveChecks(report, checks, opts.check.deep);
  }
  if (report.profiles.length === 0) {
    // Still a report (JSON with an empty list, a calendar with only the apps' events), but exit 5 and say why.
    ctx.out.warn('amz-token: no profiles configured');
    ctx.out.warn('  add one with amz-token request or amz-token import');
  }
  if (opts.ics !== undefined) {
    await writeCalendar(ctx, report, opts.ics);
    if (opts.ics === '-') return report.exitCode;
  }
  if (ctx.global.json) {
    ctx.out.json(statusJson(report));
    return report.exitCode;
  }
  const rendered = renderStatusTable(report, ctx.out.color, { ...(opts.at ? { asOf: opts.at } : {}), ...(ctx.out.width ? { maxWidth: ctx.out.width } : {}) });
  if (ctx.global.quiet) {
    // A cron mail must say why: -q prints what needs doing, and nothing else.
    for (const advice of rendered.advice) ctx.out.warn(advice);
    return report.exitCode;
  }
  for (const row of rendered.table) ctx.out.result(row);
  for (const line of [...rendered.advice, ...rendered.notes]) ctx.out.info(line);
  return report.exitCode;
}

/** --ics: to stdout for "-", else replaced atomically (a web server may be serving it). */
async function writeCalendar(ctx: CommandContext, report: StatusReport, target: string): Promise<void> {
  const [{ reminderEvents, calendarText }, { writeFileAtomic }] = await Promise.all([import('../report/calendar.js'), import('../config/atomic-file.js')]);
  const events = reminderEvents(report);
  const text = calendarText(events, ctx.deps.now());
  if (target === '-') {
    ctx.deps.stdout.write(text);
    return;
  }
  try {
    await writeFileAtomic(target, text, 0o644);
  } catch (error) {
    throw new UsageError(`--ics: cannot write ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'pass a writable file path, or - for stdout');
  }
  ctx.out.info(`Wrote ${events.length} calendar events to ${target}.`);
}

export function registerStatus(program: Program, line: CommandLine): void {
  program
    .command('status')
    .description('show when each authorization and client secret expires (offline unless --check)')
    .addOption(new Option('--warn-days <n>', 'warn this many days before expiry').argParser(wholeNumber('--warn-days', 0, 365)).default(DEFAULT_WARN_DAYS))
    .addOption(new Option('--at <date>', 'evaluate as of another date, e.g. the end of a holiday freeze').argParser(dateOf('--at')))
    .option('--check', 'also prove each profile works now: a refresh grant at Login with Amazon (the token is never shown)')
    .option('--deep', 'with --check, seller profiles also call the Sellers API and list their marketplaces (implies --check)')
    .addOption(
      new Option('--concurrency <n>', `check at most this many profiles at once (1-${MAX_CONCURRENCY})`)
        .argParser(wholeNumber('--concurrency', 1, MAX_CONCURRENCY))
        .default(DEFAULT_CONCURRENCY),
    )
    .addOption(
      new Option('--deadline <seconds>', 'with --check, stop checking after this long; what is left is "unknown" (exit 7)')
        .argParser(wholeNumber('--deadline', 1, MAX_DEADLINE_SECONDS))
        .default(DEFAULT_DEADLINE_SECONDS),
    )
    .option('--ics <file>', 'also write the dates to an iCalendar file, with reminders (- prints it on stdout instead of the table)')
    .addHelpText(
      'after',
      `
Covers every profile unless --profile is given. AMZ_TOKEN_PROFILE does not
narrow it (it selects the profile of token, exec, renew and remove), so a cron
job that inherits it still watches them all.
` +
      helpFooter(
        [
          'amz-token status',
          'amz-token status --profile shop-de --json',
          'amz-token status --at 2027-01-06 --warn-days 14 || notify-team',
          'amz-token status --check --quiet || page-oncall',
          'amz-token status --check --deep --concurrency 8 --json',
          'amz-token status --quiet --ics /srv/www/amz-token.ics   # a calendar the team subscribes to',
        ],
        STATUS_EXIT_CODES,
      ),
    )
    .action((flags) => {
      if (flags.ics === '-' && line.global().json) throw new UsageError('--ics - and --json both want stdout; write the calendar to a file instead');
      const deep = flags.deep === true;
      // Only the flag narrows status: a cron job that inherits AMZ_TOKEN_PROFILE must still watch every profile.
      const profile = line.global().profile;
      const options: StatusOptions = {
        ...(profile !== undefined ? { profile } : {}),
        warnDays: flags.warnDays,
        ...(flags.at ? { at: flags.at } : {}),
        ...(flags.check === true || deep ? { check: { deep, concurrency: flags.concurrency, deadlineSeconds: flags.deadline } } : {}),
        ...(flags.ics !== undefined ? { ics: flags.ics } : {}),
      };
      line.choose('status', options, runStatus);
    });
}
