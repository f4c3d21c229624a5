// What the waiting screen (progress.ts) draws, as text fitted to a terminal's
// width: the spinner line with the time left, and the paste line.

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const PASTE_PROMPT = '> ';
/** What the spinner line says before the time left, longest first: the longest that fits is shown. */
const SPINNER_WORDS = ['Waiting for the seller to confirm... ', 'Waiting for the seller... ', 'Waiting... '];

/** Frame `frame` of the spinner line for `cols` columns: on a narrow terminal the words give way, never the countdown. */
export function spinnerLine(frame: number, timeLeft: string, cols: number): string {
  const head = SPINNER_FRAMES[frame % SPINNER_FRAMES.length];
  const tail = `${timeLeft} left`;
  const words = SPINNER_WORDS.find((w) => `${head} ${w}${tail}`.length < cols) ?? '';
  return `${head} ${words}${tail}`;
}

/** Cut to the terminal's width less one column, so that the line never wraps. */
export function fit(text: string, cols: number): string {
  return text.length < cols ? text : `${text.slice(0, Math.max(0, cols - 2))}…`;
}

/**
 * The paste line as drawn: characters outside printable ASCII as "?" (an address is
 * ASCII; this keeps one character one column), and a paste too long for the screen
 * as its end, so that the drawing never scrolls its own top out of reach.
 */
export function shown(typed: string, cols: number, screenRows: number | undefined): string {
  const printable = typed.replace(/[^\x20-\x7e]/g, '?');
  const room = Number.isFinite(cols) && screenRows ? Math.max(1, (screenRows - 2) * cols - PASTE_PROMPT.length - 2) : Infinity;
  return printable.length <= room ? printable : `…${printable.slice(printable.length - room + 1)}`;
}

export function minutesSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
