// The encoding of the help's terminal widths (src/help-widths.ts): each text comes back byte for byte,
// and a text that is not the unwrapped one with line breaks at spaces is refused at build time.
import { describe, expect, it } from 'vitest';
import { encodeHelpWidths, helpAtColumns } from '../../src/help-widths.js';

const WIDE = 'Usage: x\n\nOptions:\n  --a  one two three four\n  --b  five six\n';
const NARROW = 'Usage: x\n\nOptions:\n  --a  one two\n       three four\n  --b  five six\n';
const NARROWER = 'Usage: x\n\nOptions:\n  --a  one\n       two\n       three\n       four\n  --b  five\n       six\n';

describe('the help at each terminal width', () => {
  it('gives back each width\'s text byte for byte, the same text once however many widths share it', () => {
    const texts = [WIDE, NARROWER, NARROWER, NARROW, WIDE, WIDE];
    const table = encodeHelpWidths(texts);
    expect(table.base).toBe(WIDE);
    expect(table.variants).toHaveLength(3);
    texts.forEach((text, columns) => expect(helpAtColumns(table, columns)).toBe(text));
    // The breaks alone are kept: [offset in base, spaces replaced, indent].
    expect(table.variants[table.byColumns[3]!]).toEqual([WIDE.indexOf(' three'), 1, 7]);
  });

  it('has no text for a width it does not hold, or no width at all: the whole CLI renders those', () => {
    const table = encodeHelpWidths([WIDE, NARROW]);
    for (const columns of [2, 600, -1, 1.5, undefined, NaN, '1']) expect(helpAtColumns(table, columns)).toBeUndefined();
  });

  it('refuses a text that is not the unwrapped help with line breaks at spaces (a word changed, a colour code, a break inside a word)', () => {
    expect(() => encodeHelpWidths([WIDE, WIDE.replace('five', 'fiv')])).toThrow(/at 1 columns is not the unwrapped help/);
    expect(() => encodeHelpWidths([WIDE, WIDE.replace('--a', '\x1b[1m--a\x1b[22m')])).toThrow(/at 1 columns/);
    expect(() => encodeHelpWidths([WIDE, WIDE.replace('three', 'th\nree')])).toThrow(/at 1 columns/);
    expect(() => encodeHelpWidths([])).toThrow(/no help texts/);
  });
});
