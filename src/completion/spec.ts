// What shell completion offers, read off the commander program itself, so that
// a new command or flag is completed without anyone touching the scripts.

import type { Command } from 'commander';
import { MARKETPLACES, REGIONS } from '../amazon/marketplaces.js';

/** What a flag's value or a positional argument completes to. */
export type ValueKind = 'profile' | 'app' | 'marketplace' | 'region' | 'shell' | 'file' | 'value';

export interface FlagSpec {
  /** e.g. ['-q', '--quiet'] */
  names: string[];
  long?: string;
  short?: string;
  /** Undefined for a switch; 'value' when the value is free text (a number, a date). */
  value?: ValueKind;
  description: string;
}

export interface CommandSpec {
  /** Words from the program name on, e.g. ['app', 'add']; [] for the program itself. */
  path: string[];
  name: string;
  description: string;
  flags: FlagSpec[];
  subcommands: CommandSpec[];
  /** What the first positional argument completes to, if anything. */
  argument?: ValueKind;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

// By flag name: the same flag means the same thing in every command.
const FLAG_VALUES: Record<string, ValueKind> = {
  '--profile': 'profile',
  '--app': 'app',
  '--marketplace': 'marketplace',
  '--region': 'region',
  '--ics': 'file',
};

// Positional arguments that name something that must exist already.
const ARGUMENT_VALUES: Record<string, ValueKind> = {
  'app remove': 'app',
  'app set-secret': 'app',
  completion: 'shell',
};

/** The command tree as completion sees it: visible commands and options only. */
export function describeProgram(program: Command): CommandSpec {
  const help = program.createHelp();
  const walk = (cmd: Command, path: string[]): CommandSpec => {
    const flags = help.visibleOptions(cmd).map((option): FlagSpec => {
      const names = [option.short, option.long].filter((n): n is string => typeof n === 'string');
      const takesValue = option.required || option.optional;
      return {
        names,
        ...(option.long ? { long: option.long } : {}),
        ...(option.short ? { short: option.short } : {}),
        ...(takesValue ? { value: FLAG_VALUES[option.long ?? ''] ?? 'value' } : {}),
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

/** Fixed candidates; profile and app names come from config.json at completion time. */
export function staticValues(kind: ValueKind): string[] {
  switch (kind) {
    case 'marketplace':
      return MARKETPLACES.map((m) => m.code);
    case 'region':
      return [...REGIONS];
    case 'shell':
      return [...SHELLS];
    default:
      return [];
  }
}

/** Every command in the tree, the program first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allCommands)];
}
