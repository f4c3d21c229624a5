// The program's one way out: parse argv, run the chosen command, and turn what
// it returns (or throws) into the exit code. bin/amz-token.js calls main() (of
// src/main.ts or src/main-jobs.ts, the two bundles' entries) and exits with that
// code; nothing else decides one.

import { AmzTokenError, UsageError, exitCodeOf } from './errors.js';
import type { Deps } from './deps.js';
import { commandContext } from './context.js';
import { Output } from './output.js';
import { looksLikeSecret } from './validate.js';
import { parseCommandLine } from './commands/program.js';
import { storeSpecOf } from './config/store-setting.js';
import type { CommandExit, CommandTable } from './commands/command-line.js';

const SECRET_FLAGS = ['--client-secret', '--refresh-token', '--access-token', '--secret', '--token'];

/**
 * Runs amz-token with argv (without node and script) and returns the exit code (for `exec`, the job's).
 * `commands`: the commands this bundle declares (src/commands/table.ts, or the jobs bundle's part).
 */
export async function run(argv: string[], deps: Deps, commands: CommandTable): Promise<CommandExit> {
  try {
    refuseSecretsInArgv(argv);
    const parsed = parseCommandLine(argv, deps, commands);
    if ('exit' in parsed) return parsed.exit;
    // Checked once, before any command: offline status would never open the store, and a
    // check of many profiles would report it once for each.
    if (deps.env.AMZ_TOKEN_STORE) storeSpecOf(deps.env.AMZ_TOKEN_STORE, 'AMZ_TOKEN_STORE');
    return await parsed.invocation.run(commandContext(deps, parsed.global));
  } catch (error) {
    report(error, deps);
    return exitCodeOf(error);
  }
}

/** A secret on the command line ends up in ps output and shell history: refuse it. */
function refuseSecretsInArgv(argv: string[]): void {
  // After `--` the words are a job's (`exec -- cmd --token-file f`): its flags are its own, its secrets still are not.
  const end = argv.indexOf('--');
  for (const [i, arg] of argv.entries()) {
    const flag = end !== -1 && i > end ? undefined : SECRET_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag) {
      throw new UsageError(
        `${flag} is not accepted: secrets on the command line are visible in ps and shell history`,
        'pipe the secret on stdin instead, e.g. amz-token app add ... < secret.txt',
      );
    }
    if (looksLikeSecret(arg)) {
      throw new UsageError(
        'refusing a secret (token or client secret) in the command-line arguments: they are visible in ps and shell history',
        'pipe it on stdin instead, and consider it exposed: rotate it',
      );
    }
  }
}

/** The error on stderr: one line, the hint below it; a stack trace only on request. */
function report(error: unknown, deps: Deps): void {
  const out = new Output(deps, { json: false, quiet: false, color: false });
  if (error instanceof AmzTokenError) {
    out.problem(error.message, error.hint);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const debug = deps.env.AMZ_TOKEN_DEBUG && error instanceof Error && error.stack;
  out.problem(`internal error: ${message.split('\n')[0]!}`, debug ? undefined : 'please report this; set AMZ_TOKEN_DEBUG=1 for details');
  if (debug) out.warn(error.stack!);
}
