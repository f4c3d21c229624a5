// The terminal while request/renew waits (src/flow/progress.ts), in-process with
// fake interval timers. What a live terminal shows is read off a real terminal
// emulator (xterm.js, headless) fed with every byte written to stderr: a redraw
// that misses a row leaves a fragment there, as it would in the operator's terminal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import xterm from '@xterm/headless';
import { Output } from '../../src/output.js';
import { openWaitingScreen, SPINNER_FRAMES, type PasteHandlers } from '../../src/flow/progress.js';
import type { CommandContext } from '../../src/context.js';
import type { Deps } from '../../src/deps.js';

const ESC = '\u001b';
const URL_PASTE = `https://relay.example.com/amz-token/?state=47613.${'s'.repeat(43)}&selling_partner_id=A3TESTSELLER01&spapi_oauth_code=ANdNAVhyhqirUelHGEHA`;

interface Terminal {
  columns?: number;
  rows?: number;
}

function context(options: { stderrTTY: boolean; stdinTTY?: boolean; env?: Record<string, string>; quiet?: boolean; input?: boolean; terminal?: Terminal }) {
  let clock = Date.parse('2026-11-27T12:00:00Z');
  const stderr = Object.assign(new PassThrough(), options.terminal ?? {});
  const stdin = Object.assign(new PassThrough(), { isTTY: options.stdinTTY === true, rawModes: [] as boolean[] });
  Object.assign(stdin, { setRawMode: (on: boolean) => stdin.rawModes.push(on) });
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString()));
  const deps = {
    env: options.env ?? {},
    now: () => new Date(clock),
    stdin,
    stdout: new PassThrough(),
    stderr,
    stdinIsTTY: options.stdinTTY === true,
    stdoutIsTTY: false,
    stderrIsTTY: options.stderrTTY,
  } as unknown as Deps;
  const global = { json: false, quiet: options.quiet ?? false, color: false, input: options.input ?? true };
  const ctx: CommandContext = { deps, out: new Output(deps, global), global };
  const pasted: string[] = [];
  let interrupted = 0;
  const handlers: PasteHandlers = {
    onLine: (line) => {
      pasted.push(line);
      return { accepted: false, message: 'that has no spapi_oauth_code' };
    },
    onInterrupt: () => (interrupted += 1),
  };
  return {
    ctx,
    handlers,
    stdin,
    pasted,
    interrupted: () => interrupted,
    until: (seconds: number) => new Date(clock + seconds * 1000),
    text: () => chunks.join(''),
    advance(ms: number) {
      clock += ms;
      vi.advanceTimersByTime(ms);
    },
    /** What a terminal of this size shows after all that was written: its rows, trailing blanks dropped. */
    async screen(): Promise<string[]> {
      const { columns = 80, rows = 24 } = options.terminal ?? {};
      const term = new xterm.Terminal({ cols: columns, rows, convertEol: true, allowProposedApi: true });
      await new Promise<void>((resolve) => term.write(chunks.join(''), resolve));
      const buffer = term.buffer.active;
      const lines = Array.from({ length: buffer.length }, (_, i) => buffer.getLine(i)?.translateToString(true) ?? '');
      while (lines.length && lines.at(-1) === '') lines.pop();
      term.dispose();
      return lines;
    },
  };
}

const spinnerLine = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (Wait|\d+:\d\d left$)/;

beforeEach(() => {
  // Only the screen's own timers: xterm.js parses on real ones.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waiting screen, no terminal', () => {
  it('writes plain lines every 30 s when stderr is not a terminal: no control codes for CI logs', () => {
    const t = context({ stderrTTY: false });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    for (let i = 0; i < 13; i++) t.advance(5_000);
    screen.print(() => t.ctx.out.warn('a message'));
    screen.close();
    expect(t.text()).toBe('waiting for the seller to confirm: 4:30 left\nwaiting for the seller to confirm: 4:00 left\na message\n');
  });

  it('treats TERM=dumb like a pipe', () => {
    const t = context({ stderrTTY: true, env: { TERM: 'dumb' } });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(31_000);
    screen.close();
    expect(t.text()).toBe('waiting for the seller to confirm: 4:29 left\n');
  });

  it('stays silent with --quiet', () => {
    const t = context({ stderrTTY: true, quiet: true });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(60_000);
    screen.close();
    expect(t.text()).toBe('');
  });

  it('reads pasted lines from a pipe, and says when the pipe has ended', async () => {
    const t = context({ stderrTTY: false });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    t.stdin.end('first\n\nsecond\n');
    await screen.inputEnded;
    screen.close();
    expect(t.pasted).toEqual(['first', 'second']);
    expect(t.text()).toContain('that has no spapi_oauth_code');
  });
});

describe('waiting screen, stderr a terminal, stdin a pipe', () => {
  it('spins on one line redrawn in place, prints messages above it, and leaves nothing behind', async () => {
    const t = context({ stderrTTY: true, terminal: { columns: 80, rows: 24 } });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(1_000);
    expect(await t.screen()).toEqual([`${SPINNER_FRAMES[10 % SPINNER_FRAMES.length]} Waiting for the seller to confirm... 4:59 left`]);
    expect(new Set([...t.text().matchAll(/([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]) Wait/g)].map((m) => m[1])).size).toBeGreaterThan(5); // it spins
    screen.print(() => t.ctx.out.warn('a stray request got an error page'));
    t.advance(1_000);
    expect(await t.screen()).toEqual(['a stray request got an error page', expect.stringMatching(/Waiting for the seller to confirm\.\.\. 4:58 left$/)]);
    screen.close();
    expect(await t.screen()).toEqual(['a stray request got an error page']);
    const length = t.text().length;
    t.advance(5_000);
    expect(t.text().length).toBe(length); // stopped for good
  });

  it('on a terminal narrower than the line, cuts it to fit and leaves no fragments', async () => {
    const t = context({ stderrTTY: true, terminal: { columns: 20, rows: 10 } });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(2_000);
    screen.print(() => t.ctx.out.warn('msg'));
    t.advance(2_000);
    const rows = await t.screen();
    // The countdown stays; the words give way.
    expect(rows).toEqual(['msg', expect.stringMatching(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 4:56 left$/)]);
    expect(rows[1]!.length).toBeLessThan(20);
  });

  it.each([
    [40, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the seller\.\.\. 4:58 left$/],
    [16, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 4:58 left$/],
  ])('at %i columns the spinner line keeps its countdown', async (columns, line) => {
    const t = context({ stderrTTY: true, terminal: { columns, rows: 10 } });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(2_000);
    expect(await t.screen()).toEqual([expect.stringMatching(line)]);
  });

  it('shrinking the window below the spinner and back never erases the consent URL above it', async () => {
    const stderrTerminal = { columns: 80, rows: 12 };
    const t = context({ stderrTTY: true, stdinTTY: true, terminal: stderrTerminal });
    // A live terminal fed as bytes arrive, resized between them as a window would be (xterm.js reflows).
    const term = new xterm.Terminal({ cols: 80, rows: 12, convertEol: true, allowProposedApi: true });
    const settled = () => new Promise<void>((resolve) => term.write('', resolve));
    const writes: string[] = [];
    (t.ctx.deps.stderr as PassThrough).on('data', (chunk: Buffer) => {
      writes.push(chunk.toString());
      term.write(chunk.toString());
    });
    // After a reflow the rows counted at the last draw are wrong: the first write after a resize
    // must not move the cursor up by them (in tmux that erased the URL's rows).
    const firstWritesAfterResize: string[] = [];
    const resize = async (columns: number) => {
      await settled();
      term.resize(columns, 12);
      stderrTerminal.columns = columns;
      Object.assign(t.ctx.deps.stderr, { columns });
      const before = writes.length;
      (t.ctx.deps.stderr as PassThrough).emit('resize');
      t.advance(100);
      await new Promise(setImmediate);
      firstWritesAfterResize.push(writes[before] ?? '');
      await settled();
    };
    const consent = 'https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.x&state=s';
    t.ctx.deps.stderr.write(`Open this URL:\n${consent}\n`);
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.stdin.write(URL_PASTE);
    await new Promise(setImmediate);
    t.advance(1_000);
    await resize(30);
    t.advance(1_000);
    await resize(80);
    t.advance(1_000);
    await settled();
    const buffer = term.buffer.active;
    // Logical lines: a row the terminal wrapped joins the one before it.
    const rows = Array.from({ length: buffer.length }, (_, i) => `${buffer.getLine(i)?.isWrapped ? '' : '\n'}${buffer.getLine(i)?.translateToString(true) ?? ''}`).join('');
    term.dispose();
    console.log(JSON.stringify(rows.split('\n'), null, 1));
    expect(rows).toContain(`Open this URL:\n${consent}`);
    expect(firstWritesAfterResize).toHaveLength(2);
    for (const write of firstWritesAfterResize) expect(write).not.toMatch(/\u001b\[\d+A/);
    expect(rows).toMatch(/Waiting for the seller to confirm\.\.\. 4:57 left/);
    screen.close();
  });
});

describe('waiting screen, stdin and stderr a terminal: the paste line', () => {
  const terminal = { columns: 40, rows: 12 };

  it('a long address pasted on a narrow terminal wraps below one spinner line; Enter keeps it, the answer, then the spinner', async () => {
    const t = context({ stderrTTY: true, stdinTTY: true, terminal });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.advance(300);
    t.stdin.write(URL_PASTE.slice(0, 120)); // a paste arrives in chunks
    t.advance(300);
    t.stdin.write(URL_PASTE.slice(120));
    await new Promise(setImmediate);
    t.advance(1_000);
    const typing = await t.screen();
    expect(typing.filter((row) => spinnerLine.test(row))).toHaveLength(1);
    expect(typing[0]).toMatch(spinnerLine);
    expect(typing.slice(1).join('')).toBe(`> ${URL_PASTE}`);

    t.stdin.write('\r');
    await new Promise(setImmediate);
    t.advance(1_000);
    expect(t.pasted).toEqual([URL_PASTE]);
    const after = await t.screen();
    const answerAt = after.indexOf('that has no spapi_oauth_code');
    expect(answerAt).toBeGreaterThan(0);
    expect(after.slice(0, answerAt).join('')).toBe(`> ${URL_PASTE}`);
    expect(after.slice(answerAt + 1)).toEqual([expect.stringMatching(spinnerLine), '> ']);
    screen.close();
    expect(t.stdin.rawModes).toEqual([true, false]);
  });

  it('a message arriving mid-paste goes above the spinner, and what was typed so far stays on the paste line', async () => {
    const t = context({ stderrTTY: true, stdinTTY: true, terminal });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.stdin.write(URL_PASTE.slice(0, 90));
    await new Promise(setImmediate);
    screen.print(() => t.ctx.out.warn('ignored a callback with the wrong state'));
    t.advance(1_000);
    const rows = await t.screen();
    expect(rows[0]).toBe('ignored a callback with the wrong state');
    expect(rows[1]).toMatch(spinnerLine);
    expect(rows.slice(2).join('')).toBe(`> ${URL_PASTE.slice(0, 90)}`);
    screen.close();
  });

  it('a paste longer than the screen shows its end, so the spinner line stays in reach', async () => {
    const t = context({ stderrTTY: true, stdinTTY: true, terminal: { columns: 20, rows: 6 } });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.stdin.write(URL_PASTE);
    await new Promise(setImmediate);
    t.advance(1_000);
    const rows = await t.screen();
    expect(rows.filter((row) => spinnerLine.test(row))).toHaveLength(1);
    expect(rows.join('')).toContain('…');
    expect(rows.join('').endsWith(URL_PASTE.slice(-20))).toBe(true);
    screen.close();
  });

  it('Ctrl-C on the paste line interrupts; Ctrl-D on an empty one ends the input and gives the terminal back', async () => {
    const t = context({ stderrTTY: true, stdinTTY: true, terminal });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    screen.spin(t.until(300));
    t.stdin.write('\u0003');
    await new Promise(setImmediate);
    expect(t.interrupted()).toBe(1);
    t.stdin.write('\u0004');
    await screen.inputEnded;
    expect(t.stdin.rawModes).toEqual([true, false]);
    t.advance(1_000);
    expect((await t.screen()).filter((row) => row !== '')).toEqual([expect.stringMatching(spinnerLine)]);
    screen.close();
  });

  it('with --no-input a terminal stdin is not read at all', async () => {
    const t = context({ stderrTTY: true, stdinTTY: true, input: false, terminal });
    const screen = openWaitingScreen(t.ctx, t.handlers);
    await screen.inputEnded;
    t.stdin.write(`${URL_PASTE}\r`);
    await new Promise(setImmediate);
    screen.close();
    expect(t.pasted).toEqual([]);
    expect(t.stdin.rawModes).toEqual([]);
    expect(t.text()).not.toContain(`${ESC}[?`);
  });
});
