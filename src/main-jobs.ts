// The entry of dist/amz-token-jobs.cjs: token, exec and env alone, the commands that jobs run
// (JOB_COMMAND_WORDS). It reads and compiles a third of what dist/amz-token.cjs holds; the same
// source, so the same exit path, errors and output. bin/amz-token.js chooses it only for argv
// that names one of these commands (src/bundle-choice.ts).

import { run } from './cli.js';
import { JOB_COMMANDS } from './commands/jobs.js';
import type { Deps } from './deps.js';
import type { CommandExit } from './commands/command-line.js';

export { createRealDeps } from './deps.js';

export function main(argv: string[], deps: Deps): Promise<CommandExit> {
  return run(argv, deps, JOB_COMMANDS);
}
