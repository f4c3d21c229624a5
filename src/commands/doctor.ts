// `amz-token doctor`: proves every part of the setup it can, with the network, and prints
// one line per finding (verdict, what, and the fix as a command). Reads no secret aloud
// and changes nothing. The checks are src/checks/doctor/.

import { Option } from '@commander-js/extra-typings';
import { ExitCode } from '../errors.js';
import type { CommandContext } from '../context.js';
import { table } from '../output.js';
import { helpFooter } from './help.js';
import { appNameOf, wholeNumber } from './options.js';
import type { CommandLine, Program } from './command-line.js';

export const DOCTOR_EXIT_CODES = [
  ExitCode.OK,
  ExitCode.USAGE,
  ExitCode.EXPIRING,
  ExitCode.EXPIRED,
  ExitCode.NOT_FOUND,
  ExitCode.FLOW_NOT_COMPLETED,
  ExitCode.AMAZON_UNAVAILABLE,
  ExitCode.STORE_UNAVAILABLE,
  ExitCode.APP_REJECTED,
] as const;

const DEFAULT_DEADLINE_SECONDS = 120;

export interface DoctorCommandOptions {
  app?: string;
  profile?: string;
  deadlineSeconds: number;
}

export async function runDoctor(ctx: CommandContext, opts: DoctorCommandOptions): Promise<ExitCode> {
  const { runDoctorChecks } = await import('../checks/doctor/run.js');
  const { doctorJson, doctorRows, doctorSummary } = await import('../checks/doctor/finding.js');
  const report = await runDoctorChecks(ctx.deps, opts, (line) => ctx.out.warn(line));
  if (ctx.global.json) {
    ctx.out.json(doctorJson(report));
    return report.exitCode;
  }
  const rows = doctorRows(report);
  const paint = (verdict: string) =>
    verdict === 'failure' ? ctx.out.color.red(verdict) : verdict === 'warning' ? ctx.out.color.yellow(verdict) : verdict === 'ok' ? ctx.out.color.green(verdict) : verdict;
  // --quiet: what needs doing, as status -q prints it for a cron mail.
  const shown = ctx.global.quiet ? rows.filter(([verdict]) => verdict === 'failure' || verdict === 'warning') : rows;
  for (const line of table(shown.map(([verdict, ...rest]) => [paint(verdict!), ...rest]))) (ctx.global.quiet ? ctx.out.warn : ctx.out.result).call(ctx.out, line);
  if (report.register) {
    ctx.out.info(`Register at Amazon (Developer Console > your app > Edit App): Redirect URI ${report.register.redirectUri}, Login URI ${report.register.loginUri}`);
  }
  ctx.out.info(doctorSummary(report));
  return report.exitCode;
}

export function registerDoctor(program: Program, line: CommandLine): void {
  program
    .command('doctor')
    .description('prove the whole setup now (apps, profiles, serve, rotation queues, mail, store, clock), one line per finding with its fix; changes nothing')
    .addOption(new Option('--app <name>', 'check only this app and its profiles').argParser(appNameOf('--app')))
    .addOption(
      new Option('--deadline <seconds>', 'stop the checks at Login with Amazon after this long; what is left is a failure (exit 7)')
        .argParser(wholeNumber('--deadline', 1, 86_400))
        .default(DEFAULT_DEADLINE_SECONDS),
    )
    .addHelpText(
      'after',
      `
Checks, each a line "ok", "warning" or "failure" (and "skipped" when what it
needs is broken): config.json and its folder private; the store opens without
a prompt; the clock against Login with Amazon's; per app: id forms, the client
secret (a grantless token request, or a profile's refresh), its recorded
expiry, the redirect URI (https, no fragment, serve's <base-url>/callback),
Draft, and its secret queue and queue policy; per profile: the grant at Login
with Amazon, its expiry, its invitation link; with a base URL: serve's
certificate and /healthz through the public address; with mail settings:
what remind --send needs (smtp-url, mail-from, a base URL), the SMTP password
in the store, and a login at the mail server over verified TLS. The exit code
is the most urgent finding's: 2 a mail setting missing, 9 app, 4
authorization, 8 store or queue, 7 Amazon or the mail server unreachable or
refusing, 5 nothing to check, 6 serve unreachable for sellers, 3 soon.
--profile checks one profile and its app; --json prints one document with a
status per check.
` + helpFooter(['amz-token doctor', 'amz-token doctor --app my-app', 'amz-token doctor --profile shop-de --json', 'amz-token doctor --quiet || page-oncall'], DOCTOR_EXIT_CODES),
    )
    .action((flags) => {
      const profile = line.global().profile;
      line.choose('doctor', { ...(flags.app !== undefined ? { app: flags.app } : {}), ...(profile !== undefined ? { profile } : {}), deadlineSeconds: flags.deadline }, runDoctor);
    });
}
