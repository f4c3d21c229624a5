// The time left while the request flow waits for the seller, on stderr: a
// spinner on one self-updating line on a terminal, a plain line every 30 s
// otherwise, so CI logs get no control codes.

import type { CommandContext } from '../context.js';

export interface Progress {
  /**
   * Runs `write` (which prints whole lines) below the spinner line, then draws
   * that again below them. `afterTypedLine`: the terminal has just echoed a line
   * the user typed and Enter, so the spinner is two lines up, not one.
   */
  print(write: () => void, afterTypedLine?: boolean): void;
  stop(): void;
}

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_MS = 100;
const PLAIN_EVERY_MS = 30_000;
// The spinner has a line of its own above the cursor, so that an address the
// user types or pastes (paste-back) stays visible under it while it spins.
const UP_AND_CLEAR = '\u001b[1A\r\u001b[2K';
const SAVE_CURSOR = '\u001b7';
const RESTORE_CURSOR = '\u001b8';

export function startProgress(ctx: CommandContext, timeoutSeconds: number): Progress {
  const { deps, out } = ctx;
  if (ctx.global.quiet) return { print: (write) => write(), stop() {} };
  const started = deps.now().getTime();
  const left = () => Math.max(0, Math.round(timeoutSeconds - (deps.now().getTime() - started) / 1000));
  // A dumb terminal cannot move the cursor: it gets the plain lines too.
  const live = deps.stderrIsTTY && deps.env.TERM !== 'dumb';
  if (!live) {
    const timer = setInterval(() => out.info(`waiting for the seller to confirm: ${minutesSeconds(left())} left`), PLAIN_EVERY_MS);
    timer.unref();
    return { print: (write) => write(), stop: () => clearInterval(timer) };
  }
  let frame = 0;
  let stopped = false;
  const line = () => `${SPINNER_FRAMES[frame++ % SPINNER_FRAMES.length]} Waiting for the seller to confirm... ${minutesSeconds(left())} left`;
  deps.stderr.write(`${line()}\n`);
  const timer = setInterval(() => deps.stderr.write(`${SAVE_CURSOR}${UP_AND_CLEAR}${line()}${RESTORE_CURSOR}`), SPIN_MS);
  timer.unref();
  return {
    print(write, afterTypedLine = false) {
      if (stopped) return write();
      // Keep what the user typed on screen; the spinner's old line goes blank.
      deps.stderr.write(afterTypedLine ? `${SAVE_CURSOR}\u001b[2A\r\u001b[2K${RESTORE_CURSOR}` : UP_AND_CLEAR);
      write();
      deps.stderr.write(`${line()}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      deps.stderr.write(UP_AND_CLEAR);
    },
  };
}

export function minutesSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
