// How commands talk: results on stdout (plain or --json), messages on stderr.
// Colour is off for --no-color, NO_COLOR, or when stdout is not a terminal.

import { Chalk, type ChalkInstance } from 'chalk';
import type { Deps } from './deps.js';
import { printable } from './terminal-text.js';

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  input: boolean;
  profile?: string;
}

export class Output {
  readonly color: ChalkInstance;
  /** The terminal's width for tables; undefined when stdout is a pipe or a file. */
  readonly width: number | undefined;

  constructor(
    private readonly deps: Pick<Deps, 'stdout' | 'stderr' | 'stdoutIsTTY' | 'stdoutColumns' | 'env'>,
    readonly options: Pick<GlobalOptions, 'json' | 'quiet' | 'color'>,
  ) {
    const colorWanted = options.color && !deps.env.NO_COLOR && deps.stdoutIsTTY;
    this.color = new Chalk({ level: colorWanted ? 1 : 0 });
    this.width = deps.stdoutIsTTY ? deps.stdoutColumns : undefined;
  }

  /** Progress and explanations; silenced by --quiet. */
  info(line: string): void {
    if (!this.options.quiet) this.deps.stderr.write(line + '\n');
  }

  /** Warnings always reach stderr, even with --quiet. */
  warn(line: string): void {
    this.deps.stderr.write(line + '\n');
  }

  /**
   * A problem in the one format every error has: "amz-token: <message>" and the next
   * step indented below. The text may quote what came from outside (a config file, a
   * helper, a library), so control characters are shown as '?'.
   */
  problem(message: string, hint?: string): void {
    this.warn(`amz-token: ${printable(message)}`);
    if (hint) this.warn(`  ${printable(hint)}`);
  }

  /** A line of the command's result, on stdout. */
  result(line: string): void {
    this.deps.stdout.write(line + '\n');
  }

  json(value: unknown): void {
    this.deps.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}

export { printable };

// eslint-disable-next-line no-control-regex
const COLOUR_CODE = /\u001b\[[0-9;]*m/g;

/** A cell's width on screen: colour codes take none. */
export function visibleLength(text: string): number {
  return text.replace(COLOUR_CODE, '').length;
}

/** Columns narrower than this are never cut to fit a terminal. */
const MIN_COLUMN = 10;

/**
 * Left-aligned columns; widths ignore colour codes. With `maxWidth` (the
 * terminal's width), the widest columns are cut, with "…", until the rows fit:
 * a wrapped table is unreadable. Pipes get whole rows.
 */
export function table(rows: string[][], options: { maxWidth?: number } = {}): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  if (options.maxWidth !== undefined) fitWidths(widths, options.maxWidth);
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const fitted = visibleLength(cell) > width ? cutVisible(cell, width) : cell;
        return i === row.length - 1 ? fitted : fitted + ' '.repeat(width - visibleLength(fitted));
      })
      .join('  ')
      .trimEnd(),
  );
}

/** Narrows the widest columns (never below MIN_COLUMN) until they and their gaps fit in `maxWidth`. */
function fitWidths(widths: number[], maxWidth: number): void {
  const total = () => widths.reduce((sum, width) => sum + width, 0) + 2 * Math.max(widths.length - 1, 0);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= MIN_COLUMN) return;
    widths[widest] = Math.max(MIN_COLUMN, widths[widest]! - (total() - maxWidth));
  }
}

/** The first `width` visible characters (the last one "…"), colour codes kept and closed. */
function cutVisible(text: string, width: number): string {
  let out = '';
  let shown = 0;
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    if (COLOUR_CODE.test(part)) {
      COLOUR_CODE.lastIndex = 0;
      out += part;
      continue;
    }
    for (const char of part) {
      if (shown === width - 1) return `${out}…${text.includes('\u001b[') ? '\u001b[0m' : ''}`;
      out += char;
      shown += 1;
    }
  }
  return out;
}
