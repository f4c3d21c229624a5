// Which bundle bin/amz-token.js loads for argv: built on its own into dist/bundle-choice.cjs,
// a few hundred bytes, so that choosing costs nothing next to loading either bundle.

import { commandWord, JOB_COMMAND_WORDS } from './commands/command-word.js';

/** The file in dist/ that serves argv: the small jobs bundle for token, exec and env, else the whole CLI. */
export function bundleFor(argv: readonly string[]): 'amz-token-jobs.cjs' | 'amz-token.cjs' {
  const word = commandWord(argv);
  return word !== undefined && JOB_COMMAND_WORDS.includes(word) ? 'amz-token-jobs.cjs' : 'amz-token.cjs';
}
