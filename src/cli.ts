// The program: global flags, subcommands, and the one place where errors and
// results become exit codes. bin/amz-token.js calls main() and exits with its code.

import { Command, CommanderError, Option } from 'commander';
import { AmzTokenError, ExitCode, UsageError, exitCodeOf } from './errors.js';
import type { Deps } from './deps.js';
import { Output, type GlobalOptions } from './output.js';
import type { CommandContext } from './commands/context.js';
import { looksLikeSecret } from './validate.js';
import { registerApp } from './commands/app.js';
import { registerImport } from './commands/import.js';
import { registerStatus } from './commands/status.js';
import { registerRemove } from './commands/remove.js';
import { registerRequest } from './commands/request.js';
import { registerToken } from './commands/token.js';
import { registerCompletion } from './commands/completion.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  OK
  1  unexpected internal error
  2  usage error: unknown flag, bad argument, invalid config value
  3  an authorization or client secret expires within the warning window
  4  expired, or Amazon rejects the refresh token: the seller must renew
  5  not found: no such profile or app, or nothing stored for it
  6  authorization flow not completed: timeout, cancel, state mismatch, code rejected
  7  Amazon unreachable or failing (network, timeout, 5xx, 429)
  8  credential store unavailable: no Secret Service, locked keychain
  9  app credentials rejected, or client secret expired: fix the app

Environment (see the README): AMZ_TOKEN_PROFILE, AMZ_TOKEN_CONFIG_DIR,
AMZ_TOKEN_STORE=file, AMZ_TOKEN_SECRETS_FILE, AMZ_TOKEN_CLIENT_SECRET,
AMZ_TOKEN_REFRESH_TOKEN, AMZ_TOKEN_BROWSER/BROWSER, AMZ_TOKEN_LWA_URL,
AMZ_TOKEN_CENTRAL_URL, AMZ_TOKEN_SPAPI_URL, AMZ_TOKEN_HTTP_TIMEOUT_MS, NO_COLOR.
`;

const SECRET_FLAGS = ['--client-secret', '--refresh-token', '--access-token', '--secret', '--token'];

/** Runs amz-token with argv (without node and script) and returns the exit code. */
export async function main(argv: string[], deps: Deps): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  let out = new Output(deps, { json: argv.includes('--json'), quiet: false, color: false });
  const program = buildProgram(deps, (code) => (exitCode = code), (o) => (out = o));
  try {
    refuseSecretsInArgv(argv);
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return ExitCode.OK;
      }
      // commander printed its own one-line message already.
      return ExitCode.USAGE;
    }
    report(out, error, deps);
    return exitCodeOf(error);
  }
}

function buildProgram(deps: Deps, setExit: (code: ExitCode) => void, setOutput: (out: Output) => void): Command {
  const program = new Command('amz-token');
  program
    .description('Request, renew and watch Amazon SP-API authorizations; secrets stay in the OS keychain.')
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'print only results and warnings')
    .option('--no-color', 'no colour (also NO_COLOR, and whenever stdout is not a terminal)')
    .option('--no-input', 'never prompt; fail instead')
    .addOption(new Option('--profile <name>', 'the profile to act on (env: AMZ_TOKEN_PROFILE)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'amz-token: ')),
    })
    .addHelpText('after', EXIT_CODES_HELP);
  // Subcommands made with .command() inherit exitOverride and configureOutput.
  const ctxFor = (cmd: Command): CommandContext => {
    const g = cmd.optsWithGlobals<{ json?: boolean; quiet?: boolean; color?: boolean; input?: boolean; profile?: string }>();
    const global: GlobalOptions = {
      json: g.json === true,
      quiet: g.quiet === true,
      color: g.color !== false,
      input: g.input !== false,
      ...(g.profile !== undefined ? { profile: g.profile } : {}),
    };
    const out = new Output(deps, global);
    setOutput(out);
    return { deps, out, global };
  };
  registerApp(program, ctxFor);
  registerImport(program, ctxFor);
  registerStatus(program, ctxFor, setExit);
  registerRequest(program, ctxFor);
  registerRemove(program, ctxFor);
  registerToken(program, ctxFor);
  registerCompletion(program, ctxFor);
  return program;
}

/** A secret on the command line ends up in ps output and shell history: refuse it. */
function refuseSecretsInArgv(argv: string[]): void {
  for (const arg of argv) {
    const flag = SECRET_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
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

function report(out: Output, error: unknown, deps: Deps): void {
  if (error instanceof AmzTokenError) {
    out.warn(`amz-token: ${error.message}`);
    if (error.hint) out.warn(`  ${error.hint}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.warn(`amz-token: internal error: ${message.split('\n')[0]}`);
  if (deps.env.AMZ_TOKEN_DEBUG && error instanceof Error && error.stack) out.warn(error.stack);
  else out.warn('  please report this; set AMZ_TOKEN_DEBUG=1 for details');
}

// package.json's version, put in by the bundler (scripts/build.mjs) and by vitest.config.ts:
// no file read at start-up, and no second place to bump.
declare const __AMZ_TOKEN_VERSION__: string | undefined;
const VERSION = typeof __AMZ_TOKEN_VERSION__ === 'string' ? __AMZ_TOKEN_VERSION__ : '0.0.0-unknown';
