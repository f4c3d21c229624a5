// The entry of dist/amz-token.cjs: every command.

import { run } from './cli.js';
import { COMMANDS } from './commands/table.js';
import type { Deps } from './deps.js';
import type { CommandExit } from './commands/command-line.js';

export { createRealDeps } from './deps.js';

/** Runs amz-token with argv (without node and script) and returns the exit code (for `exec`, the job's). */
export function main(argv: string[], deps: Deps): Promise<CommandExit> {
  return run(argv, deps, COMMANDS);
}
