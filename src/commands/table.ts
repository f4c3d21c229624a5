// Every top-level command: the names it declares and the function that declares it, in the order
// --help lists them. A new command is one line here (test/unit/parsing.test.ts checks the names).

import type { CommandTable } from './command-line.js';
import { registerApp } from './app.js';
import { registerImport } from './import.js';
import { registerStatus } from './status.js';
import { registerRemove } from './remove.js';
import { registerRequest } from './request.js';
import { registerRelayPage } from './relay-page.js';
import { registerCompletion } from './completion.js';
import { registerStore } from './store.js';
import { registerConfig } from './config.js';
import { registerServe } from './serve.js';
import { registerInvite } from './invite.js';
import { registerProfile } from './profile.js';
import { registerRemind } from './remind.js';
import { registerExplain } from './explain.js';
import { registerDoctor } from './doctor.js';
import { JOB_COMMANDS } from './jobs.js';

export const COMMANDS: CommandTable = [
  [['app'], registerApp],
  [['import'], registerImport],
  [['status'], registerStatus],
  [['request', 'renew'], registerRequest],
  [['relay-page'], registerRelayPage],
  [['remove'], registerRemove],
  [['profile'], registerProfile],
  ...JOB_COMMANDS, // token, exec, env
  [['completion', '__complete'], registerCompletion],
  [['store'], registerStore],
  [['config'], registerConfig],
  [['invite'], registerInvite],
  [['remind'], registerRemind],
  [['serve'], registerServe],
  [['explain'], registerExplain],
  [['doctor'], registerDoctor],
];
