// `amz-token env`: prints the variables `exec` would give a job, for shells
// and CI systems that cannot wrap a command. It prints secrets on purpose;
// `exec` is the better choice wherever it can be used.

import { appendFileSync } from 'node:fs';
import { Option } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import { jobCredentials } from '../job/credentials.js';
import { jobVariables } from '../job/variables.js';
import { dotenvLines, ENV_FORMATS, githubOutput, jsonObject, shLines, type EnvFormat } from '../job/formats.js';
import { helpFooter } from './help.js';
import { TOKEN_EXIT_CODES } from './token.js';
import { credentialOptions } from './options.js';
import { PROFILE_USAGE, requiredProfile, type CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

/** The credential step of `token`, so its codes. */
export const ENV_EXIT_CODES = TOKEN_EXIT_CODES;

export interface EnvOptions {
  profile: string;
  lwaCredentials: boolean;
  minTtlMinutes: number;
  format: EnvFormat;
}

export async function runEnv(ctx: CommandContext, opts: EnvOptions): Promise<ExitCode> {
  // Checked before any keychain or LWA step: without the file there is nowhere to put the values.
  const githubEnv = opts.format === 'github' ? githubEnvFile(ctx) : undefined;
  const variables = jobVariables(await jobCredentials(ctx, opts));
  switch (opts.format) {
    case 'sh':
      ctx.deps.stdout.write(shLines(variables));
      break;
    case 'dotenv':
      ctx.deps.stdout.write(dotenvLines(variables));
      break;
    case 'json':
      ctx.out.json(jsonObject(variables));
      break;
    case 'github': {
      const output = githubOutput(variables, () => ctx.deps.randomBytes(16).toString('hex'));
      // Masks first: once the runner has them, nothing later in the log shows the values.
      ctx.deps.stdout.write(output.masks);
      try {
        appendFileSync(githubEnv!, output.envFile, { mode: 0o600 });
      } catch (error) {
        throw new UsageError(`cannot append to $GITHUB_ENV (${githubEnv}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      ctx.out.info(`Set ${variables.map((v) => v.name).join(', ')} for the job's next steps.`);
      break;
    }
  }
  return ExitCode.OK;
}

function githubEnvFile(ctx: CommandContext): string {
  const file = ctx.deps.env.GITHUB_ENV?.trim();
  if (!file) throw new UsageError('--format github needs $GITHUB_ENV, which GitHub Actions sets in every step', 'run it in a GitHub Actions step, or choose --format sh, dotenv or json');
  return file;
}

export function registerEnv(program: Program, line: CommandLine): void {
  program
    .command('env')
    .usage(PROFILE_USAGE)
    .description('print the variables `exec` gives a job (an access token, and more on request), for shells and CI; prints secrets: prefer exec')
    .addOption(new Option('--format <format>', 'sh (for eval), dotenv, json, or github ($GITHUB_ENV, with log masks)').choices(ENV_FORMATS))
    .addOption(credentialOptions.lwaCredentials())
    .addOption(credentialOptions.minTtl())
    .addHelpText(
      'after',
      `
This command prints secrets, on purpose: an access token (valid an hour), and
with --lwa-credentials the client secret and refresh token (valid for a year).
Wherever a command can be wrapped, prefer \`amz-token exec -- <command>\`: it
hands the same variables to that command alone and prints nothing.

sh: export lines, quoted so that eval "$(amz-token env)" is safe whatever a value holds.
dotenv: NAME=value lines, single-quoted where needed.
json: one object (also --json).
github: appends the variables to $GITHUB_ENV (multi-line syntax with random
delimiters, so no value can set another variable) and prints only
::add-mask:: lines, one for every secret value. Without $GITHUB_ENV: exit 2.
` +
        helpFooter(
          [
            'amz-token env --profile shop-de --format github          # in a GitHub Actions step',
            'eval "$(amz-token env --profile shop-de)"',
            'amz-token env --profile shop-de --format dotenv > .env   # the file then holds a secret',
          ],
          ENV_EXIT_CODES,
        ),
    )
    .action((flags) => {
      const json = line.global().json;
      if (json && flags.format !== undefined && flags.format !== 'json') throw new UsageError(`--json and --format ${flags.format} contradict each other`);
      const format: EnvFormat = flags.format ?? (json ? 'json' : 'sh');
      const options: EnvOptions = { profile: requiredProfile(line), lwaCredentials: flags.lwaCredentials === true, minTtlMinutes: flags.minTtl, format };
      line.choose('env', options, runEnv);
    });
}
