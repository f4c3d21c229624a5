// The "Examples" and "Exit codes" blocks appended to every command's --help.
// The codes are each command's own list; their words come from errors.ts.

import { exitCodeSummary, type ExitCode } from '../errors.js';

export function helpFooter(examples: readonly string[], exitCodes: readonly ExitCode[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes: ${exitCodeSummary(exitCodes)} (see amz-token --help)\n`;
}
