// How commands talk: results on stdout (plain or --json), messages on stderr.
// Colour is off for --no-color, NO_COLOR, or when stdout is not a terminal.

import { Chalk, type ChalkInstance } from 'chalk';
import type { Deps } from './deps.js';

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  input: boolean;
  profile?: string;
}

export class Output {
  readonly color: ChalkInstance;

  constructor(
    private readonly deps: Pick<Deps, 'stdout' | 'stderr' | 'stdoutIsTTY' | 'env'>,
    readonly options: Pick<GlobalOptions, 'json' | 'quiet' | 'color'>,
  ) {
    const colorWanted = options.color && !deps.env.NO_COLOR && deps.stdoutIsTTY;
    this.color = new Chalk({ level: colorWanted ? 1 : 0 });
  }

  /** Progress and explanations; silenced by --quiet. */
  info(line: string): void {
    if (!this.options.quiet) this.deps.stderr.write(line + '\n');
  }

  /** Warnings always reach stderr, even with --quiet. */
  warn(line: string): void {
    this.deps.stderr.write(line + '\n');
  }

  /** A line of the command's result, on stdout. */
  result(line: string): void {
    this.deps.stdout.write(line + '\n');
  }

  json(value: unknown): void {
    this.deps.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}

/**
 * Text that came from outside (a config file, an error from a library or from
 * Amazon) made safe for a terminal: control characters, which could move the
 * cursor, retitle the window or forge a line, become '?'.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** Left-aligned columns; widths ignore colour codes. */
export function table(rows: string[][], visibleLength: (s: string) => number = (s) => s.length): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd(),
  );
}
