// `amz-token status`: when each authorization and each app's client secret
// expires, as a table, JSON or Prometheus metrics, with an exit code scripts can
// branch on; also as files (calendar, metrics, HTML page) for teams.
// Offline by design: it reads config.json only, never the network or keychain;
// only --check (loaded lazily from ../checks/) asks Amazon. The views other than
// the table and JSON load lazily too: cron runs the plain status often.

import { existsSync } from 'node:fs';
import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_WARN_DAYS } from '../expiry.js';
import { readConfig, type CommandContext } from '../context.js';
import { configFile } from '../config/config.js';
import { PROFILE_STATES, statusReport, withAppChecks, withLiveChecks, withStates, type ProfileState, type StatusReport } from '../report/status-report.js';
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

/** What stdout carries: `--format`, where `--json` is short for `--format json`. */
export type StatusFormat = 'table' | 'json' | 'prometheus';

export interface StatusOptions {
  profile?: string;
  warnDays: number;
  at?: Date;
  format: StatusFormat;
  /** --check: prove each profile live at Amazon. */
  check?: LiveCheckOptions;
  /** --ics: also write the dates as an iCalendar file ("-": to stdout, instead of the table). */
  ics?: string;
  /** --metrics-file: also write the Prometheus metrics to this file, for node_exporter's textfile collector. */
  metricsFile?: string;
  /** --html: also write the report as a self-contained web page ("-": to stdout, instead of the table). */
  html?: string;
  /** --state: show only the profiles in these states (every view); the exit code still covers all. */
  states?: ProfileState[];
}

export async function runStatus(ctx: CommandContext, opts: StatusOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const now = ctx.deps.now();
  let report = statusReport(config, opts.at ?? now, opts.warnDays, opts.profile, now);
  if (opts.check) {
    const { runLiveChecks } = await import('../checks/live-check.js');
    const checks = await runLiveChecks(ctx.deps, config, report.profiles.map((p) => p.profile), opts.check);
    report = withLiveChecks(report, checks, opts.check.deep);
    const { checkAppSecrets } = await import('../checks/app-check.js');
    // With AMZ_TOKEN_CLIENT_SECRET (one app's secret, CI) only the checked profiles' app can be proven.
    const apps = ctx.deps.env.AMZ_TOKEN_CLIENT_SECRET?.trim() ? [...new Set(report.profiles.map((p) => p.app))] : report.apps.map((a) => a.app);
    const profileChecks = report.profiles.map((p, i) => ({ profile: p.profile, app: p.app, check: checks[i]! }));
    report = withAppChecks(report, await checkAppSecrets(ctx.deps, config, apps, profileChecks, { deadlineSeconds: opts.check.deadlineSeconds }));
  }
  const configured = report.profiles.length;
  if (opts.states) report = withStates(report, opts.states);
  if (configured === 0) {
    // Still a report (JSON with an empty list, a calendar and metrics with only the apps), but exit 5 and say why.
    // Named, so that a typo in cron's AMZ_TOKEN_CONFIG_DIR can be told from an empty setup.
    const file = configFile(ctx.deps.configDir);
    const where = ctx.deps.env.AMZ_TOKEN_CONFIG_DIR ? `${file} (from AMZ_TOKEN_CONFIG_DIR)` : file;
    ctx.out.problem(`no profiles configured in ${where}${existsSync(file) ? '' : ', which does not exist'}`, 'add one with amz-token request or amz-token import');
  }
  if (opts.ics !== undefined) await writeCalendar(ctx, report, opts.ics);
  if (opts.metricsFile !== undefined) await writeMetrics(ctx, report, opts.metricsFile);
  if (opts.html !== undefined) await writeHtml(ctx, report, opts.html);
  // A file written to "-" took stdout's place (the flags allow only one thing there).
  if (opts.ics === '-' || opts.html === '-') return report.exitCode;
  if (opts.format === 'json') {
    ctx.out.json(statusJson(report));
  } else if (opts.format === 'prometheus') {
    const { prometheusText } = await import('../report/prometheus.js');
    ctx.deps.stdout.write(prometheusText(report));
  } else {
    const rendered = renderStatusTable(report, ctx.out.color, { ...(opts.at ? { asOf: opts.at } : {}), ...(ctx.out.width ? { maxWidth: ctx.out.width } : {}) });
    if (ctx.global.quiet) {
      // A cron mail must say why: -q prints what needs doing, and nothing else.
      for (const advice of rendered.advice) ctx.out.warn(advice);
      return report.exitCode;
    }
    for (const row of rendered.table) ctx.out.result(row);
    for (const line of [...rendered.advice, ...rendered.notes]) ctx.out.info(line);
  }
  return report.exitCode;
}

/** --ics: the dates as calendar events. */
async function writeCalendar(ctx: CommandContext, report: StatusReport, target: string): Promise<void> {
  const { reminderEvents, calendarText } = await import('../report/calendar.js');
  const events = reminderEvents(report);
  await writeOutputFile(ctx, '--ics', target, calendarText(events, ctx.deps.now()));
  if (target !== '-') ctx.out.info(`Wrote ${events.length} calendar events to ${target}.`);
}

/** --metrics-file: what --format prometheus prints, for node_exporter's textfile collector. */
async function writeMetrics(ctx: CommandContext, report: StatusReport, target: string): Promise<void> {
  const { prometheusText } = await import('../report/prometheus.js');
  await writeOutputFile(ctx, '--metrics-file', target, prometheusText(report));
  ctx.out.info(`Wrote the metrics of ${count(report.profiles.length, 'authorization')} and ${count(report.apps.length, 'client secret')} to ${target}.`);
}

/** --html: the report as one self-contained page. */
async function writeHtml(ctx: CommandContext, report: StatusReport, target: string): Promise<void> {
  const { htmlReport } = await import('../report/html.js');
  await writeOutputFile(ctx, '--html', target, htmlReport(report));
  if (target !== '-') ctx.out.info(`Wrote the report page of ${count(report.profiles.length, 'authorization')} to ${target}.`);
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * To stdout for "-", else replaced atomically, mode 0644: a web server or node_exporter may be
 * reading the file right now, and must see the old text or the new, never half of it.
 */
async function writeOutputFile(ctx: CommandContext, flag: string, target: string, text: string): Promise<void> {
  if (target === '-') {
    ctx.deps.stdout.write(text);
    return;
  }
  const { writeFileAtomic } = await import('../config/atomic-file.js');
  try {
    await writeFileAtomic(target, text, 0o644);
  } catch (error) {
    const stdoutToo = flag === '--metrics-file' ? '' : ', or - for stdout';
    throw new UsageError(`${flag}: cannot write ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `pass a writable file path${stdoutToo}`);
  }
}

/**
 * --format (--json is short for --format json) and the files written to "-" all want stdout;
 * at most one may have it. Returns the format; refuses two claims with exit 2.
 */
export function stdoutFormat(flags: { format?: StatusFormat; json: boolean; ics?: string; html?: string }): StatusFormat {
  if (flags.json && flags.format !== undefined && flags.format !== 'json') {
    throw new UsageError(`--json and --format ${flags.format} ask for different output; --json is short for --format json`);
  }
  const claims = [
    ...(flags.format !== undefined ? [`--format ${flags.format}`] : flags.json ? ['--json'] : []),
    ...(flags.ics === '-' ? ['--ics -'] : []),
    ...(flags.html === '-' ? ['--html -'] : []),
  ];
  if (claims.length > 1) throw new UsageError(`${claims[0]} and ${claims[1]} both want stdout; write one of them to a file instead`);
  return flags.format ?? (flags.json ? 'json' : 'table');
}

/** --state expired,expiring: known states only, each once. */
function profileStates(value: string): ProfileState[] {
  const words = value.split(',').map((word) => word.trim().toLowerCase());
  const unknown = words.find((word) => !(PROFILE_STATES as readonly string[]).includes(word));
  if (unknown !== undefined) throw new UsageError(`--state "${unknown.slice(0, 40)}" is not a state: use ${PROFILE_STATES.join(', ')}, comma-separated`);
  return [...new Set(words)] as ProfileState[];
}

/** A file to write: an empty path (an unset shell variable, say) is refused by name, not met later as "cannot write  (ENOENT)". */
function outputFile(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new UsageError(`${flag} needs a file path, got an empty one`, 'is the shell variable that should hold it set?');
    return value;
  };
}

export function registerStatus(program: Program, line: CommandLine): void {
  program
    .command('status')
    .description('show when each authorization and client secret expires (offline unless --check)')
    .addOption(new Option('--warn-days <n>', 'warn this many days before expiry').argParser(wholeNumber('--warn-days', 0, 365)).default(DEFAULT_WARN_DAYS))
    .addOption(new Option('--at <date>', 'evaluate as of another date, e.g. the end of a holiday freeze').argParser(dateOf('--at')))
    .option('--check', "also prove each profile works now (a refresh grant at Login with Amazon) and each seller app's client secret (a grantless grant); tokens are never shown")
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
    .addOption(
      new Option('--state <states>', `show only profiles in these states, comma-separated: ${PROFILE_STATES.join(', ')} (the exit code still covers all)`).argParser(
        profileStates,
      ),
    )
    .addOption(new Option('--format <format>', 'what stdout carries (--json is short for --format json)').choices(['table', 'json', 'prometheus'] as const))
    .addOption(
      new Option('--ics <file>', 'also write the dates to an iCalendar file, with reminders (- prints it on stdout instead of the table)').argParser(outputFile('--ics')),
    )
    .addOption(
      new Option('--metrics-file <file>', "also write the Prometheus metrics to this file, for node_exporter's textfile collector").argParser((value) => {
        if (value === '-') throw new UsageError('--metrics-file needs a file path', 'to print the metrics on stdout, use --format prometheus');
        return outputFile('--metrics-file')(value);
      }),
    )
    .addOption(
      new Option('--html <file>', 'also write the report as a self-contained web page, with a timeline (- prints it on stdout instead of the table)').argParser(
        outputFile('--html'),
      ),
    )
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
          'amz-token status --format prometheus',
          'amz-token status --check --quiet --metrics-file /var/lib/prometheus/node-exporter/amz-token.prom',
          'amz-token status --quiet --html /srv/www/amz-token.html',
        ],
        STATUS_EXIT_CODES,
      ),
    )
    .action((flags) => {
      const format = stdoutFormat({ ...flags, json: line.global().json });
      const deep = flags.deep === true;
      // Only the flag narrows status: a cron job that inherits AMZ_TOKEN_PROFILE must still watch every profile.
      const profile = line.global().profile;
      const options: StatusOptions = {
        ...(profile !== undefined ? { profile } : {}),
        warnDays: flags.warnDays,
        ...(flags.at ? { at: flags.at } : {}),
        format,
        ...(flags.check === true || deep ? { check: { deep, concurrency: flags.concurrency, deadlineSeconds: flags.deadline } } : {}),
        ...(flags.ics !== undefined ? { ics: flags.ics } : {}),
        ...(flags.metricsFile !== undefined ? { metricsFile: flags.metricsFile } : {}),
        ...(flags.html !== undefined ? { html: flags.html } : {}),
        ...(flags.state !== undefined ? { states: flags.state } : {}),
      };
      line.choose('status', options, runStatus);
    });
}
