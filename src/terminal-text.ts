// The one sanitiser for text from outside (a config file, a helper, Amazon, a
// library) on its way to a terminal. Free of imports: validation, config parsing
// and the HTTP client all use it.

/**
 * What must not reach a terminal as is: C0 and C1 controls (ESC moves the cursor,
 * retitles the window), line and paragraph separators (forge a line), and the
 * bidirectional controls (U+202E and kin reorder what follows, so a name or a
 * message could read as something else).
 */
// eslint-disable-next-line no-control-regex
export const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character of UNSAFE_FOR_TERMINAL replaced by '?'. */
export function printable(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, '?');
}
