// The terminal while the consent flow waits for the seller: the time left, on
// stderr, and the line the operator pastes the browser's address into. What it
// draws fits what the terminal can do:
// - quiet (-q): only the messages;
// - plain (stderr not a terminal, or TERM=dumb): a line every 30 s and no
//   control codes, for CI logs;
// - live (stderr a terminal): a spinner line, redrawn in place. When stdin is a
//   terminal too, a "> " paste line below it, edited here in raw mode: the
//   terminal's own echo would let a long, wrapped paste move the cursor where no
//   redraw can find it, leaving fragments. Every drawn line is cut to the
//   terminal's width, so that none wraps into a row a redraw would not erase.
// Pasted lines reach `onLine` in every mode; other stdins are read line by line.

import { createInterface } from 'node:readline';
import type { CommandContext } from '../context.js';
import { fit, minutesSeconds, PASTE_PROMPT, shown, spinnerLine } from './screen-text.js';

export { SPINNER_FRAMES } from './screen-text.js';
import { rawModeOff } from '../prompt.js';

const SPIN_MS = 100;
const PLAIN_EVERY_MS = 30_000;
const ESC = '\u001b';
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';

export interface PasteHandlers {
  /** A line the operator pasted (or typed) and ended with Enter; what to tell them. */
  onLine(line: string): { accepted: boolean; message: string };
  /** Ctrl-C on the paste line: raw mode turns it into a character, not a SIGINT. */
  onInterrupt(): void;
}

export interface WaitingScreen {
  /** Shows the time left until `until` (again after pause()). */
  spin(until: Date): void;
  /** Hides the time left while a code is exchanged; the paste line stays. */
  pause(): void;
  /** Prints whole lines (`write` prints them) above what the screen draws. */
  print(write: () => void): void;
  /** Resolves once no paste can come any more: stdin ended, Ctrl-D, or pastes are not read. */
  readonly inputEnded: Promise<void>;
  /** Erases what it drew and gives the terminal back. */
  close(): void;
}

export function openWaitingScreen(ctx: CommandContext, handlers: PasteHandlers): WaitingScreen {
  const { deps, out } = ctx;
  const stderr = deps.stderr as NodeJS.WriteStream;
  let endInput: () => void = () => {};
  const inputEnded = new Promise<void>((resolve) => (endInput = resolve));
  let until: Date | undefined;
  const timeLeft = () => minutesSeconds(Math.max(0, Math.round(((until?.getTime() ?? 0) - deps.now().getTime()) / 1000)));
  const answer = (line: string): (() => void) | undefined => {
    if (line.trim() === '') return undefined;
    const { accepted, message } = handlers.onLine(line);
    return () => (accepted ? out.info(message) : out.warn(message));
  };

  // Pastes: in raw mode by the live screen below, else line by line (end of input ends them).
  const live = !ctx.global.quiet && deps.stderrIsTTY && deps.env.TERM !== 'dumb';
  const readsPastes = ctx.global.input || !deps.stdinIsTTY;
  const editing = live && readsPastes && deps.stdinIsTTY;
  let frame = 0;
  let screen: Omit<WaitingScreen, 'inputEnded'>;
  if (!live) {
    screen = ctx.global.quiet ? quietScreen() : plainScreen(() => out.info(`waiting for the seller to confirm: ${timeLeft()} left`));
  } else {
    const spinnerText = (cols: number) => spinnerLine(frame++, timeLeft(), cols);
    screen = liveScreen(stderr, deps.stdin as NodeJS.ReadStream, editing, spinnerText, {
      line: answer,
      interrupt: handlers.onInterrupt,
      end: endInput,
    });
  }
  let stopReading = () => {};
  if (!readsPastes) endInput();
  else if (!editing) {
    const lines = createInterface({ input: deps.stdin, crlfDelay: Infinity, terminal: false });
    lines.on('line', (line) => {
      const tell = answer(line);
      if (tell) screen.print(tell);
    });
    lines.on('close', endInput);
    lines.on('error', () => {});
    stopReading = () => {
      lines.close();
      (deps.stdin as NodeJS.ReadStream).pause?.();
    };
  }
  return {
    spin(next) {
      until = next;
      screen.spin(next);
    },
    pause: () => screen.pause(),
    print: (write) => screen.print(write),
    inputEnded,
    close() {
      stopReading();
      screen.close();
    },
  };
}

const quietScreen = (): Omit<WaitingScreen, 'inputEnded'> => ({ spin() {}, pause() {}, print: (write) => write(), close() {} });

function plainScreen(tell: () => void): Omit<WaitingScreen, 'inputEnded'> {
  let timer: NodeJS.Timeout | undefined;
  const pause = () => clearInterval(timer);
  return {
    spin() {
      pause();
      timer = setInterval(tell, PLAIN_EVERY_MS);
      timer.unref();
    },
    pause,
    print: (write) => write(),
    close: pause,
  };
}

/**
 * The spinner line and, when `editing`, the paste line under it. Everything this
 * draws is written by this function, so it always knows the row the cursor is on
 * within the drawing, and erasing is: up that many rows, then clear to the end.
 */
function liveScreen(
  stderr: NodeJS.WriteStream,
  stdin: NodeJS.ReadStream,
  editing: boolean,
  spinnerText: (cols: number) => string,
  on: { line(line: string): (() => void) | undefined; interrupt(): void; end(): void },
): Omit<WaitingScreen, 'inputEnded'> {
  let spinning = false;
  let closed = false;
  let typed = '';
  let cursorRow = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const columns = () => (stderr.columns > 1 ? stderr.columns : Infinity);

  const erase = () => (drawn ? `${cursorRow > 0 ? `${ESC}[${cursorRow}A` : ''}\r${ESC}[J` : '');
  const drawing = (): string => {
    const cols = columns();
    let text = '';
    let rows = 0;
    if (spinning) {
      text += `${fit(spinnerText(cols), cols)}\n`;
      rows += 1;
    }
    if (editing) {
      const line = PASTE_PROMPT + shown(typed, cols, stderr.rows);
      text += line;
      rows += Math.floor(line.length / cols);
      // A line that fills its last row leaves the cursor waiting to wrap: make it wrap now (as readline does).
      if (line.length % cols === 0) text += ' \r';
    }
    cursorRow = rows;
    drawn = text !== '';
    return text;
  };
  const redraw = () => {
    if (!closed) stderr.write(erase() + drawing());
  };

  const keys = (chunk: Buffer | string) => {
    let escape = false;
    for (const char of chunk.toString()) {
      // Arrow and function keys (ESC [ ... final byte): the paste line is append-only.
      if (escape) {
        if (char !== '[' && char !== 'O' && char >= '@' && char <= '~') escape = false;
        continue;
      }
      if (char === ESC) escape = true;
      else if (char === CTRL_C) return on.interrupt();
      else if (char === '\r' || char === '\n') {
        const line = typed;
        typed = '';
        const tell = on.line(line);
        // Keep what was pasted on screen, above the message about it.
        if (tell) print(() => stderr.write(`${PASTE_PROMPT}${shown(line, columns(), stderr.rows)}\n`), tell);
        else redraw();
      } else if (char === CTRL_D && typed === '') return stopEditing();
      else if (char === CTRL_U) typed = '';
      else if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
      else if (char >= ' ') typed += char;
    }
    redraw();
  };
  /** Gives the terminal back (raw mode off); Ctrl-D also ends the input, and the spinner goes on alone. */
  const stopEditing = (ctrlD = true) => {
    if (!editing) return;
    stdin.off('data', keys);
    rawModeOff(stdin);
    stdin.pause();
    if (!ctrlD) return;
    stderr.write(erase());
    drawn = false;
    editing = false;
    on.end();
    redraw();
  };
  const print = (...writes: Array<() => void>) => {
    if (closed) return writes.forEach((write) => write());
    stderr.write(erase());
    drawn = false;
    writes.forEach((write) => write());
    redraw();
  };

  // A resized terminal reflows what is on it, so the rows counted at the last draw no longer
  // say where the drawing starts: going up by them could erase the consent URL above it.
  // Leave the old drawing where it is (its row is cleared, the rest at worst stays as a
  // fragment) and draw afresh on the next row.
  const resized = () => {
    if (closed) return;
    if (drawn) stderr.write(`\r${ESC}[K\n`);
    drawn = false;
    redraw();
  };
  stderr.on('resize', resized);

  if (editing) {
    stdin.setRawMode?.(true);
    stdin.on('data', keys);
    stdin.resume();
  }
  redraw();
  return {
    spin() {
      spinning = true;
      clearInterval(timer);
      timer = setInterval(redraw, SPIN_MS);
      timer.unref();
      redraw();
    },
    pause() {
      clearInterval(timer);
      spinning = false;
      redraw();
    },
    print: (write) => print(write),
    close() {
      if (closed) return;
      clearInterval(timer);
      stopEditing(false);
      stderr.off('resize', resized);
      stderr.write(erase());
      closed = true;
    },
  };
}
