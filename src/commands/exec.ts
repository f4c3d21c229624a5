// `amz-token exec -- <command>`: runs a job with the profile's credentials in
// its environment and nothing on amz-token's stdout; exits with the job's code.
// Credentials first: when they cannot be had, the job is never started.

import { UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { jobCredentials } from '../job/credentials.js';
import { jobEnvironment, jobVariables } from '../job/variables.js';
import { runJob } from '../job/run.js';
import { helpFooter } from './help.js';
import { TOKEN_EXIT_CODES } from './token.js';
import { PROFILE_USAGE, requiredProfile, type CommandExit, type CommandLine } from './command-line.js';
import { credentialOptions } from './options.js';
import type { Program } from './command-line.js';

/**
 * amz-token's own codes, for bad usage or credentials it cannot get: the same credential step as
 * `token`, so the same codes. Once the job runs, its code is the exit code (0 included).
 */
export const EXEC_EXIT_CODES = TOKEN_EXIT_CODES;

export interface ExecOptions {
  profile: string;
  lwaCredentials: boolean;
  minTtlMinutes: number;
  command: string;
  args: string[];
}

export async function runExec(ctx: CommandContext, opts: ExecOptions): Promise<CommandExit> {
  const credentials = await jobCredentials(ctx, opts);
  const env = jobEnvironment(ctx.deps.env, jobVariables(credentials));
  return runJob(ctx.deps, opts.command, opts.args, env);
}

export function registerExec(program: Program, line: CommandLine): void {
  program
    .command('exec')
    .usage(`${PROFILE_USAGE} [--] <command> [args...]`)
    .description("run a command with the profile's SP-API credentials in its environment (an access token; long-lived secrets only on request)")
    .argument('[command...]', 'the command and its arguments, after --')
    .addOption(credentialOptions.lwaCredentials())
    .addOption(credentialOptions.minTtl())
    .addHelpText(
      'after',
      `
The command gets SP_API_ACCESS_TOKEN, SP_API_ACCESS_TOKEN_EXPIRES_AT, SP_API_REGION,
SP_API_ENDPOINT, SP_API_MARKETPLACE_ID, SP_API_DEFAULT_MARKETPLACE,
SP_API_SELLING_PARTNER_ID and AMZ_TOKEN_PROFILE; with --lwa-credentials also
LWA_CLIENT_ID, LWA_APP_ID, SELLING_PARTNER_APP_CLIENT_ID, LWA_CLIENT_SECRET,
SELLING_PARTNER_APP_CLIENT_SECRET, LWA_REFRESH_TOKEN and SP_API_REFRESH_TOKEN.
It never inherits AMZ_TOKEN_REFRESH_TOKEN or AMZ_TOKEN_CLIENT_SECRET, and without
--lwa-credentials no client secret or refresh token under any of those names.
stdin, stdout and stderr are the command's; amz-token writes nothing on stdout.
SIGINT, SIGTERM and SIGHUP are passed on to the command.

Exits with the command's own code (128+N when signal N ended it; 127 when it
is not found, 126 when it cannot be executed). When the credentials cannot be
had the command is not started, and the code is the one \`token\` would give.
` +
        helpFooter(
          [
            'amz-token exec --profile shop-de -- node sync-prices.js',
            'AMZ_TOKEN_PROFILE=shop-de amz-token exec -- python import_orders.py --since yesterday',
            'amz-token exec --profile shop-de --lwa-credentials -- node long-running-job.js   # the library refreshes by itself',
          ],
          EXEC_EXIT_CODES,
        ),
    )
    .action((words, flags) => {
      const [command, ...args] = words;
      if (command === undefined || command === '') {
        throw new UsageError('exec needs a command to run', 'amz-token exec --profile <name> -- <command> [args...]');
      }
      const options: ExecOptions = { profile: requiredProfile(line), lwaCredentials: flags.lwaCredentials === true, minTtlMinutes: flags.minTtl, command, args };
      line.choose('exec', options, runExec);
    });
}
