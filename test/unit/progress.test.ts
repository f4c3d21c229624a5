// The waiting indicator of request/renew (src/flow/progress.ts), in-process
// with fake timers: a spinner on a terminal, plain lines without control codes
// everywhere else.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { Output } from '../../src/output.js';
import { startProgress, SPINNER_FRAMES } from '../../src/flow/progress.js';
import type { CommandContext } from '../../src/context.js';
import type { Deps } from '../../src/deps.js';

const ESC = '\u001b';

function context(options: { tty: boolean; env?: Record<string, string>; quiet?: boolean }) {
  let clock = Date.parse('2026-11-27T12:00:00Z');
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString()));
  const deps = {
    env: options.env ?? {},
    now: () => new Date(clock),
    stdout: new PassThrough(),
    stderr,
    stdoutIsTTY: false,
    stderrIsTTY: options.tty,
  } as unknown as Deps;
  const global = { json: false, quiet: options.quiet ?? false, color: false, input: true };
  const ctx: CommandContext = { deps, out: new Output(deps, global), global };
  return {
    ctx,
    text: () => chunks.join(''),
    advance(ms: number) {
      clock += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('startProgress', () => {
  it('spins on a terminal: its own line above the cursor, redrawn with the time left, cleared at the end', () => {
    const t = context({ tty: true });
    const progress = startProgress(t.ctx, 300);
    expect(t.text()).toBe(`${SPINNER_FRAMES[0]} Waiting for the seller to confirm... 5:00 left\n`);
    t.advance(1_000);
    const redraws = t.text().split(`${ESC}7${ESC}[1A\r${ESC}[2K`).slice(1);
    expect(redraws.length).toBe(10);
    expect(redraws.at(-1)).toBe(`${SPINNER_FRAMES[10 % SPINNER_FRAMES.length]} Waiting for the seller to confirm... 4:59 left${ESC}8`);
    expect(new Set(redraws.map((r) => r[0])).size).toBeGreaterThan(5); // it spins
    progress.stop();
    expect(t.text().endsWith(`${ESC}[1A\r${ESC}[2K`)).toBe(true);
    const length = t.text().length;
    t.advance(5_000);
    expect(t.text().length).toBe(length); // stopped for good
  });

  it('prints messages above the spinner and draws it again below them', () => {
    const t = context({ tty: true });
    const progress = startProgress(t.ctx, 60);
    const before = t.text().length;
    progress.print(() => t.ctx.out.warn('a stray request got an error page'));
    expect(t.text().slice(before)).toBe(`${ESC}[1A\r${ESC}[2Ka stray request got an error page\n${SPINNER_FRAMES[1]} Waiting for the seller to confirm... 1:00 left\n`);
    // After a line the user typed, the spinner is two lines up; the typed line stays.
    const typed = t.text().length;
    progress.print(() => t.ctx.out.warn('that is not an address'), true);
    expect(t.text().slice(typed)).toMatch(new RegExp(`^${ESC}7${ESC}\\[2A\\r${ESC}\\[2K${ESC}8that is not an address\\n`));
    progress.stop();
  });

  it('writes plain lines every 30 s when stderr is not a terminal: no control codes for CI logs', () => {
    const t = context({ tty: false });
    const progress = startProgress(t.ctx, 300);
    for (let i = 0; i < 13; i++) t.advance(5_000);
    progress.print(() => t.ctx.out.warn('a message'));
    progress.stop();
    expect(t.text()).toBe('waiting for the seller to confirm: 4:30 left\nwaiting for the seller to confirm: 4:00 left\na message\n');
    expect(t.text()).not.toContain(ESC);
  });

  it('treats TERM=dumb like a pipe', () => {
    const t = context({ tty: true, env: { TERM: 'dumb' } });
    const progress = startProgress(t.ctx, 300);
    t.advance(31_000);
    progress.stop();
    expect(t.text()).toBe('waiting for the seller to confirm: 4:29 left\n');
  });

  it('stays silent with --quiet', () => {
    const t = context({ tty: true, quiet: true });
    const progress = startProgress(t.ctx, 300);
    t.advance(60_000);
    progress.stop();
    expect(t.text()).toBe('');
  });
});
