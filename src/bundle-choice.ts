// Which bundle bin/amz-token.js loads for argv: built on its own into dist/bundle-choice.cjs,
// a few hundred bytes, so that choosing costs nothing next to loading either bundle.

import { commandWord, JOB_COMMAND_WORDS } from './commands/command-word.js';

/** The file in dist/ that serves argv: the small jobs bundle for token, exec and env, else the whole CLI. */
export function bundleFor(argv: readonly string[]): 'amz-token-jobs.cjs' | 'amz-token.cjs' {
  const word = commandWord(argv);
  return word !== undefined && JOB_COMMAND_WORDS.includes(word) ? 'amz-token-jobs.cjs' : 'amz-token.cjs';
}

/**
 * Which fast path (src/token-fast.ts, src/exec-fast.ts) to try before either bundle: only for
 * `token` and `exec` themselves, never their help (exec's job may have a --help of its own), so
 * that what falls through anyway does not load it first.
 */
export function fastPathFor(argv: readonly string[]): 'token' | 'exec' | undefined {
  const word = commandWord(argv);
  if (word !== 'token' && word !== 'exec') return undefined;
  const end = argv.indexOf('--');
  const own = end === -1 ? argv : argv.slice(0, end);
  return own.some((arg) => arg === '--help' || arg === '-h') ? undefined : word;
}
