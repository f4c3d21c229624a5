// env's renderers: sh quoting proven by a real POSIX shell reading values back,
// dotenv's bare/quoted/refused rule, and GitHub's $GITHUB_ENV and mask syntax.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { dotenvLines, githubOutput, jsonObject, shLines } from '../../src/job/formats.js';
import type { JobVariable } from '../../src/job/variables.js';

const variable = (name: string, value: string, secret = false): JobVariable => ({ name, value, secret });

/** Evaluates the export lines in sh and reads every value back, NUL-separated. */
function evalInSh(variables: JobVariable[]): string[] {
  const script = `${shLines(variables)}\n${variables.map((v) => `printf '%s\\0' "$${v.name}"`).join('\n')}\n`;
  return execFileSync('sh', ['-c', `eval "$1"`, 'sh', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('sh', () => {
  it('writes export lines in single quotes', () => {
    expect(shLines([variable('SP_API_REGION', 'eu'), variable('X', "it's")])).toBe(`export SP_API_REGION='eu'\nexport X='it'\\''s'\n`);
  });

  it('survives eval in a real shell whatever the values hold (quotes, $, backticks, newlines, ;)', () => {
    const nasty = [`'`, `''`, `"`, '$(touch /tmp/pwned)', '`id`', 'a\nb', '\n', ';exit 3', '\\', "'; echo hi; '", 'Atza|x', '*', '', ' lead and trail '];
    const variables = nasty.map((value, i) => variable(`V${i}`, value));
    expect(evalInSh(variables)).toEqual(nasty);
  });

  it('survives eval for arbitrary strings (fast-check)', () => {
    // Environment values cannot hold NUL, nor (being bytes) a lone UTF-16 surrogate; everything else must round-trip.
    const value = fc.string({ unit: fc.oneof(fc.constantFrom("'", '"', '$', '`', '\\', '\n', ' ', ';', '|', '&'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }).filter((s) => !s.includes('\0') && Buffer.from(s, 'utf8').toString('utf8') === s);
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), (values) => {
        expect(evalInSh(values.map((v, i) => variable(`V${i}`, v)))).toEqual(values);
      }),
      { numRuns: 25 },
    );
  });
});

describe('dotenv', () => {
  it('writes tokens, dates, ids and URLs bare', () => {
    const variables = [
      variable('SP_API_ACCESS_TOKEN', 'Atza|IwEBIAbc-_123'),
      variable('SP_API_ACCESS_TOKEN_EXPIRES_AT', '2026-11-27T13:00:00.000Z'),
      variable('SP_API_ENDPOINT', 'https://sellingpartnerapi-eu.amazon.com'),
    ];
    expect(dotenvLines(variables)).toBe('SP_API_ACCESS_TOKEN=Atza|IwEBIAbc-_123\nSP_API_ACCESS_TOKEN_EXPIRES_AT=2026-11-27T13:00:00.000Z\nSP_API_ENDPOINT=https://sellingpartnerapi-eu.amazon.com\n');
  });

  it('single-quotes a value with a space, #, $ or ", which readers would cut, comment out or expand', () => {
    for (const value of ['a b', 'https://x.example/#frag', 'pa$$', 'say "hi"', '']) {
      expect(dotenvLines([variable('X', value)])).toBe(value === '' ? 'X=\n' : `X='${value}'\n`);
    }
  });

  it("refuses a value no dotenv quoting writes unambiguously (a ' or a line break), naming the variable", () => {
    for (const value of ["it's", 'a\nb', 'a\rb']) expect(() => dotenvLines([variable('X', value)])).toThrow(/X cannot be written unambiguously in dotenv/);
  });
});

describe('json', () => {
  it('is one object of names and values', () => {
    expect(jsonObject([variable('A', '1'), variable('B', 'x\ny', true)])).toEqual({ A: '1', B: 'x\ny' });
  });
});

describe('github', () => {
  const counter = () => {
    let n = 0;
    return () => `${(n++).toString(16).padStart(32, '0')}`;
  };

  it('writes every variable in the multi-line syntax, so a value with a newline stays one value', () => {
    const out = githubOutput([variable('SP_API_REGION', 'eu'), variable('EVIL', 'x\nSP_API_REGION=na')], counter());
    expect(out.envFile).toBe(
      'SP_API_REGION<<ghadelimiter_00000000000000000000000000000000\neu\nghadelimiter_00000000000000000000000000000000\n' +
        'EVIL<<ghadelimiter_00000000000000000000000000000001\nx\nSP_API_REGION=na\nghadelimiter_00000000000000000000000000000001\n',
    );
  });

  it('never uses a delimiter that occurs in the value', () => {
    const first = 'ghadelimiter_00000000000000000000000000000000';
    const out = githubOutput([variable('EVIL', `a\n${first}\nINJECTED=1`)], counter());
    expect(out.envFile).toBe(`EVIL<<ghadelimiter_00000000000000000000000000000001\na\n${first}\nINJECTED=1\nghadelimiter_00000000000000000000000000000001\n`);
  });

  it('prints one mask per secret value (each line of a multi-line one), escaped as @actions/core escapes data, and none for plain values', () => {
    const out = githubOutput(
      [
        variable('SP_API_ACCESS_TOKEN', 'Atza|a%b', true),
        variable('SP_API_REGION', 'eu'),
        variable('LWA_CLIENT_SECRET', 'amzn1.oa2-cs.v1.s', true),
        variable('SELLING_PARTNER_APP_CLIENT_SECRET', 'amzn1.oa2-cs.v1.s', true),
        variable('ODD', 'line1\nline2', true),
      ],
      counter(),
    );
    expect(out.masks).toBe('::add-mask::Atza|a%25b\n::add-mask::amzn1.oa2-cs.v1.s\n::add-mask::line1\n::add-mask::line2\n');
  });
});
