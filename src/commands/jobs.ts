// The commands that jobs run (JOB_COMMAND_WORDS), as a command table of their own: the jobs
// bundle (scripts/build.mjs) is built from this table alone, so it holds none of the other commands.

import type { CommandTable } from './command-line.js';
import { registerToken } from './token.js';
import { registerExec } from './exec.js';
import { registerEnv } from './env.js';

export const JOB_COMMANDS: CommandTable = [
  [['token'], registerToken],
  [['exec'], registerExec],
  [['env'], registerEnv],
];
