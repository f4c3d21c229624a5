// The command line: global flags, the commands, and parsing argv into the one
// command to run (an Invocation). Running it, and turning its outcome into the
// process's exit code, is src/cli.ts's job; this module only parses.

import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { ExitCode, exitCodeHelpLines } from '../errors.js';
import type { Deps } from '../deps.js';
import type { GlobalOptions } from '../output.js';
import { profileName } from '../validate.js';
import type { CommandLine, CommandTable, Invocation } from './command-line.js';
import { commandWord } from './command-word.js';

const TOP_LEVEL_HELP = `
Exit codes:
${exitCodeHelpLines().join('\n')}

Environment (see the README): AMZ_TOKEN_PROFILE, AMZ_TOKEN_CONFIG_DIR,
AMZ_TOKEN_STORE, AMZ_TOKEN_SECRETS_FILE, AMZ_TOKEN_STORE_TIMEOUT_MS, AMZ_TOKEN_CLIENT_SECRET,
AMZ_TOKEN_CACHE, AMZ_TOKEN_REFRESH_TOKEN, AMZ_TOKEN_BROWSER/BROWSER, AMZ_TOKEN_LWA_URL,
AMZ_TOKEN_CENTRAL_URL, AMZ_TOKEN_SPAPI_URL, AMZ_TOKEN_HTTP_TIMEOUT_MS, AMZ_TOKEN_BASE_URL, NO_COLOR.
exec and env set SP_API_* (and with --lwa-credentials LWA_*) for a job.
`;

/** `completion` writes every command's flags into the script it prints: it needs them all declared. */
const NEEDS_EVERY_COMMAND = 'completion';

export type Parsed = { invocation: Invocation; global: GlobalOptions } | { exit: ExitCode };

/**
 * Parses argv against a command table (all of src/commands/table.ts, or the jobs bundle's part).
 * Help, --version and commander's own usage errors (already printed) come back as an exit code;
 * a bad flag value throws a UsageError.
 */
export function parseCommandLine(argv: readonly string[], deps: Pick<Deps, 'env' | 'stdout' | 'stderr'>, commands: CommandTable): Parsed {
  const program = newProgram(deps);
  let invocation: Invocation | undefined;
  const global = (): GlobalOptions => {
    const flags = program.opts();
    return {
      json: flags.json === true,
      quiet: flags.quiet === true,
      color: flags.color,
      input: flags.input,
      ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    };
  };
  const line: CommandLine = {
    env: deps.env,
    global,
    choose(command, options, run) {
      invocation = { command, options, run: (ctx) => run(ctx, options) };
    },
  };
  // The command argv names alone when it is known (token and exec run often, and declaring the
  // other commands costs start-up time); every command for --help, `help`, typos and the rest.
  const word = commandWord(argv);
  const named = word === NEEDS_EVERY_COMMAND ? undefined : commands.find(([names]) => word !== undefined && names.includes(word));
  for (const [, register] of named ? [named] : commands) register(program, line);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // A command group without its subcommand (`amz-token app`): commander prints the group's help as an
    // error. That is a usage error, as any other; only a bare `amz-token` (no word at all) is a request for help.
    const groupWithoutSubcommand = error.code === 'commander.help' && error.exitCode !== 0 && argv.some((word) => !word.startsWith('-'));
    const shown = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    // commander printed its one-line message (or the help) already.
    return { exit: shown && !groupWithoutSubcommand ? ExitCode.OK : ExitCode.USAGE };
  }
  // Every command records an invocation; only a bare `amz-token` (help, above) does not.
  return invocation ? { invocation, global: global() } : { exit: ExitCode.OK };
}

function newProgram(deps: Pick<Deps, 'stdout' | 'stderr'>) {
  return (
    new Command('amz-token')
      .description('Request, renew and watch Amazon SP-API authorizations; secrets stay in the OS keychain.')
      .version(VERSION, '-V, --version')
      .option('--json', 'machine-readable output on stdout')
      .option('-q, --quiet', 'print only results and warnings')
      .option('--no-color', 'no colour (also NO_COLOR, and whenever stdout is not a terminal)')
      .option('--no-input', 'never prompt; fail instead')
      .addOption(new Option('--profile <name>', 'the profile to act on (env: AMZ_TOKEN_PROFILE)').argParser((value) => profileName(value)))
      // Each command's --help lists the global flags too: request, renew, token, exec, env, remove and
      // import need --profile, which is declared here, once, for all of them.
      .configureHelp({ showGlobalOptions: true })
      .showHelpAfterError('(run with --help for usage)')
      // Subcommands made with .command() inherit exitOverride and configureOutput (addCommand() would not).
      .exitOverride()
      .configureOutput({
        writeOut: (s) => deps.stdout.write(s),
        writeErr: (s) => deps.stderr.write(s),
        outputError: (s, write) => write(s.replace(/^error: /, 'amz-token: ')),
      })
      .addHelpText('after', TOP_LEVEL_HELP)
  );
}

// package.json's version, put in by the bundler (scripts/build.mjs) and by vitest.config.ts:
// no file read at start-up, and no second place to bump.
declare const __AMZ_TOKEN_VERSION__: string | undefined;
const VERSION = typeof __AMZ_TOKEN_VERSION__ === 'string' ? __AMZ_TOKEN_VERSION__ : '0.0.0-unknown';
