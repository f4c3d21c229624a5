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
  const runDeps = global.input ? deps : withoutPrompts(deps);
  return { deps: runDeps, out: new Output(runDeps, global), global };
}

/**
 * --no-input reaches the secret store too: a credential helper must not prompt (gpg's pinentry).
 * A copy by property descriptors, not a spread: a spread would call the lazy getters (stdin)
 * and load what offline `status` must not.
 */
function withoutPrompts(deps: Deps): Deps {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(deps)) as Deps;
  copy.secretStore = () => deps.secretStore({ prompt: false });
  return copy;
}

/** config.json, with a loose file mode reported as a warning. */
export function readConfig(ctx: CommandContext): Promise<Config> {
  return loadConfig(ctx.deps.configDir, (line) => ctx.out.warn(line));
}
