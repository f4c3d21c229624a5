// What a command's work receives: its collaborators (Deps), where it talks
// (Output) and the global flags. Built once per run by src/cli.ts; flows,
// checks and renderers take it too, so none of them knows about commander.

import type { Deps } from './deps.js';
import { Output, type GlobalOptions } from './output.js';
import { loadConfig, type Config } from './config/config.js';

export interface CommandContext {
  deps: Deps;
  out: Output;
  global: GlobalOptions;
}

export function commandContext(deps: Deps, global: GlobalOptions): CommandContext {
  // --no-input reaches the secret store too: a credential helper must not prompt (gpg's pinentry).
  const runDeps: Deps = global.input ? deps : { ...deps, secretStore: () => deps.secretStore({ prompt: false }) };
  return { deps: runDeps, out: new Output(runDeps, global), global };
}

/** config.json, with a loose file mode reported as a warning. */
export function readConfig(ctx: CommandContext): Promise<Config> {
  return loadConfig(ctx.deps.configDir, (line) => ctx.out.warn(line));
}
