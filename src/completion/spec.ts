// What shell completion offers: the command tree (read off the program by
// src/commands/completion.ts, so a new command or flag is completed without
// anyone touching the scripts) and the fixed values some flags take.

import { MARKETPLACES, REGIONS } from '../amazon/marketplaces.js';
import { KNOWN_CODES } from '../flow/consent-errors.js';

/** What a flag's value or a positional argument completes to. */
export type ValueKind = 'profile' | 'app' | 'marketplace' | 'region' | 'shell' | 'store' | 'code' | 'choice' | 'file' | 'value';

export interface FlagSpec {
  /** e.g. ['-q', '--quiet'] */
  names: string[];
  long?: string;
  short?: string;
  /** Undefined for a switch; 'value' when the value is free text (a number, a date). */
  value?: ValueKind;
  /** The values a 'choice' flag takes (commander's .choices()). */
  choices?: string[];
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

/** Fixed candidates; profile and app names come from config.json at completion time. */
export function staticValues(kind: ValueKind): string[] {
  switch (kind) {
    case 'marketplace':
      return MARKETPLACES.map((m) => m.code);
    case 'region':
      return [...REGIONS];
    case 'shell':
      return [...SHELLS];
    case 'store':
      // helper:<name> takes any docker-credential-<name>; these two are the ones Debian ships.
      return ['keychain', 'file', 'helper:pass', 'helper:secretservice'];
    case 'code':
      // What `explain` knows (and the 403 forms' alias).
      return [...KNOWN_CODES.map((entry) => entry.code), '403'];
    default:
      return [];
  }
}

/** Every command in the tree, the program first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allCommands)];
}
