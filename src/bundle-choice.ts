// Which bundle bin/amz-token.js loads for argv: built on its own into dist/bundle-choice.cjs,
// a few hundred bytes, so that choosing costs nothing next to loading either bundle.

import { commandWord, JOB_COMMAND_WORDS } from './commands/command-word.js';

/** The file in dist/ that serves argv: the small jobs bundle for token, exec and env, else the whole CLI. */
export function bundleFor(argv: readonly string[]): 'amz-token-jobs.cjs' | 'amz-token.cjs' {
  const word = commandWord(argv);
  return word !== undefined && JOB_COMMAND_WORDS.includes(word) ? 'amz-token-jobs.cjs' : 'amz-token.cjs';
}

/**
 * Whether to try `token`'s fast path (src/token-fast.ts) before either bundle: only for `token`
 * itself, never its help, so that what falls through anyway does not load it first.
 */
export function mayTakeFastPath(argv: readonly string[]): boolean {
  return commandWord(argv) === 'token' && !argv.some((arg) => arg === '--help' || arg === '-h');
}
