// `amz-token completion bash|zsh|fish` prints a completion script; the hidden
// `amz-token __complete profiles|apps` is what that script calls back for names.

import { Argument, type Command } from '@commander-js/extra-typings';
import { ExitCode } from '../errors.js';
import { loadConfig } from '../config/config.js';
import type { CommandContext } from '../context.js';
import { SHELLS, type CommandSpec, type FlagSpec, type Shell, type ValueKind } from '../completion/spec.js';
import { helpFooter } from './help.js';
import type { CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

export const COMPLETION_EXIT_CODES = [ExitCode.OK, ExitCode.USAGE] as const;

// By flag name: the same flag means the same thing in every command.
const FLAG_VALUES: Record<string, ValueKind> = {
  '--profile': 'profile',
  '--app': 'app',
  '--marketplace': 'marketplace',
  '--region': 'region',
  '--ics': 'file',
  '--metrics-file': 'file',
  '--html': 'file',
  '--to': 'store',
};

// Positional arguments that name something that must exist already.
const ARGUMENT_VALUES: Record<string, ValueKind> = {
  'app remove': 'app',
  'app set-secret': 'app',
  'app set': 'app',
  'app rotate-secret': 'app',
  'profile set': 'profile',
  'profile show': 'profile',
  completion: 'shell',
  explain: 'code',
};

export function registerCompletion(program: Program, line: CommandLine): void {
  program
    .command('completion')
    .description('print a shell completion script: commands, flags, and profile and app names from the config')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText(
      'after',
      `
The script asks amz-token for profile and app names as you type (from
config.json only: offline, no keychain), so it never goes stale.
` +
        helpFooter(
          [
            'source <(amz-token completion bash)                    # now; add the line to ~/.bashrc to keep it',
            'amz-token completion zsh > "${fpath[1]}/_amz-token"    # zsh, then restart it',
            'amz-token completion fish > ~/.config/fish/completions/amz-token.fish',
          ],
          COMPLETION_EXIT_CODES,
        ),
    )
    .action((shell: Shell) => {
      // Read now, while parsing: the tree is the program's, and the run needs only its description.
      const spec = describeProgram(program);
      line.choose('completion', { shell }, async (ctx: CommandContext, opts: { shell: Shell }) => {
        const { completionScript } = await import('../completion/scripts.js');
        ctx.deps.stdout.write(completionScript(opts.shell, spec));
        return ExitCode.OK;
      });
    });

  program
    .command('__complete', { hidden: true })
    .description('print profile or app names for shell completion, one a line')
    .argument('<what>', 'profiles or apps')
    .action((what) =>
      line.choose('__complete', { what }, async (ctx: CommandContext, opts: { what: string }) => {
        // Completion must never print errors or warnings into the user's command line.
        const config = await loadConfig(ctx.deps.configDir).catch(() => undefined);
        if (!config) return ExitCode.OK;
        const names = opts.what === 'profiles' ? Object.keys(config.profiles) : opts.what === 'apps' ? Object.keys(config.apps) : [];
        for (const name of names.sort()) ctx.out.result(name);
        return ExitCode.OK;
      }),
    );
}

/** The command tree as completion sees it: visible commands and options only. */
// Commands are typed by their options; the walk reads only what every command has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function describeProgram(program: Command<any, any, any>): CommandSpec {
  const help = program.createHelp();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const walk = (cmd: Command<any, any, any>, path: string[]): CommandSpec => {
    const flags = help.visibleOptions(cmd).map((option): FlagSpec => {
      const names = [option.short, option.long].filter((n): n is string => typeof n === 'string');
      const takesValue = option.required || option.optional;
      const choices = option.argChoices;
      return {
        names,
        ...(option.long ? { long: option.long } : {}),
        ...(option.short ? { short: option.short } : {}),
        ...(takesValue ? { value: choices ? 'choice' : (FLAG_VALUES[option.long ?? ''] ?? 'value') } : {}),
        ...(takesValue && choices ? { choices: [...choices] } : {}),
        description: option.description,
      };
    });
    const argument = ARGUMENT_VALUES[path.join(' ')];
    return {
      path,
      name: path.length ? path[path.length - 1]! : cmd.name(),
      description: cmd.description(),
      flags,
      subcommands: help
        .visibleCommands(cmd)
        .filter((sub) => sub.name() !== 'help')
        .map((sub) => walk(sub, [...path, sub.name()])),
      ...(argument ? { argument } : {}),
    };
  };
  return walk(program, []);
}
