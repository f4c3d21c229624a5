// What each command's declaration gets from the program: the global flags and
// the environment (to resolve --profile), and `choose`, which records the one
// thing parsing yields: the command to run, with its options already parsed.

import type { Command } from '@commander-js/extra-typings';
import type { ExitCode } from '../errors.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../output.js';
import { UsageError } from '../errors.js';
import { profileName } from '../validate.js';
import type { JobExitStatus } from '../job/run.js';

/**
 * What a command's run returns: one of amz-token's exit codes or, from `exec`
 * only, the job's own exit status passed through (any 0-255, meaning what the job says).
 */
export type CommandExit = ExitCode | JobExitStatus;

export interface Invocation<O = unknown> {
  /** The command's words, e.g. "app add". */
  command: string;
  /** Its options, parsed and validated: typed values, never raw strings. */
  options: O;
  run(ctx: CommandContext): Promise<CommandExit>;
}

/** The program that commands register on (its own option types are program.ts's business). */
export type Program = Command;

/** Top-level commands: the names each declares, and the function that declares them (src/commands/table.ts). */
export type CommandTable = ReadonlyArray<readonly [names: readonly string[], register: (program: Program, line: CommandLine) => void]>;

export interface CommandLine {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The global flags (--json, --quiet, ...), read after parsing. */
  global(): GlobalOptions;
  choose<O>(command: string, options: O, run: (ctx: CommandContext, options: O) => Promise<CommandExit>): void;
}

/**
 * The usage line of a command that acts on one profile: --profile is a global flag (it may come
 * before or after the command word), so commander would not name it there by itself.
 */
export const PROFILE_USAGE = '--profile <name> [options]';

/**
 * --profile, else AMZ_TOKEN_PROFILE, for commands that act on one profile.
 * (Commands that cover all profiles, like status, read only the flag.)
 */
export function requiredProfile(line: CommandLine): string {
  const name = line.global().profile ?? (line.env.AMZ_TOKEN_PROFILE || undefined);
  if (name === undefined) throw new UsageError('this command needs --profile <name> (or AMZ_TOKEN_PROFILE)');
  return profileName(name);
}
