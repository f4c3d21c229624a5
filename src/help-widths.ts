// The top-level help at every terminal width, kept small: scripts/build.mjs encodes the texts the
// whole CLI renders into dist/help-widths.json, and bin/amz-token.js decodes the one for its terminal
// (built on its own into dist/help-widths.cjs, a few hundred bytes, so that `--help` at a terminal
// loads neither bundle).
//
// commander wraps the help to the terminal's width (stdout's columns) by breaking lines at spaces:
// each width's text is the unwrapped one with some runs of spaces turned into a newline and an
// indent. About 90 widths give different texts, 5 KB each; stored as those breaks, all of them
// take about 20 KB.

/** What dist/help-widths.json holds. */
export interface HelpWidths {
  /** The help as rendered with no wrapping at all. */
  base: string;
  /** For each terminal width (0, 1, 2, ...): the index in `variants` of its text. */
  byColumns: number[];
  /** Each distinct text, as the breaks that make it from `base`: [offset in base, spaces replaced, indent after the newline], flattened. */
  variants: number[][];
}

/**
 * Encodes texts[w], the help that a terminal w columns wide gets, for w = 0, 1, ... texts.length - 1.
 * Throws if a text is not the unwrapped one (the widest) with line breaks put in at spaces, or does
 * not decode back to itself byte for byte: then the fast path must not serve it.
 */
export function encodeHelpWidths(texts: readonly string[]): HelpWidths {
  const base = [...texts].sort((a, b) => a.split('\n').length - b.split('\n').length)[0];
  if (base === undefined) throw new Error('no help texts to encode');
  const variants: number[][] = [];
  const seen = new Map<string, number>();
  const byColumns = texts.map((text, columns) => {
    let index = seen.get(text);
    if (index === undefined) {
      const breaks = breaksFrom(base, text, columns);
      index = variants.push(breaks) - 1;
      seen.set(text, index);
    }
    return index;
  });
  const table = { base, byColumns, variants };
  texts.forEach((text, columns) => {
    if (helpAtColumns(table, columns) !== text) throw new Error(`the help at ${columns} columns does not decode back to itself`);
  });
  return table;
}

/** The help for a terminal `columns` wide, or undefined for a width the table does not hold (the whole CLI renders it then). */
export function helpAtColumns(table: HelpWidths, columns: unknown): string | undefined {
  const breaks = typeof columns === 'number' && Number.isInteger(columns) && columns >= 0 ? table.variants[table.byColumns[columns] ?? -1] : undefined;
  if (breaks === undefined) return undefined;
  let text = '';
  let from = 0;
  for (let i = 0; i < breaks.length; i += 3) {
    text += `${table.base.slice(from, breaks[i])}\n${' '.repeat(breaks[i + 2]!)}`;
    from = breaks[i]! + breaks[i + 1]!;
  }
  return text + table.base.slice(from);
}

/** The breaks that turn base into text: where text has a newline and indent, base has a run of spaces. */
function breaksFrom(base: string, text: string, columns: number): number[] {
  const breaks: number[] = [];
  let i = 0;
  let j = 0;
  while (i < text.length || j < base.length) {
    if (text[i] === base[j]) {
      i++;
      j++;
      continue;
    }
    if (text[i] !== '\n' || base[j] !== ' ') throw new Error(`the help at ${columns} columns is not the unwrapped help with line breaks at spaces (offset ${i})`);
    const spaces = /^ +/.exec(base.slice(j))![0].length;
    const indent = /^ */.exec(text.slice(i + 1))![0].length;
    breaks.push(j, spaces, indent);
    i += 1 + indent;
    j += spaces;
  }
  return breaks;
}
