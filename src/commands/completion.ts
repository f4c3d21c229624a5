// `amz-token completion bash|zsh|fish` prints a completion script; the hidden
// `amz-token __complete profiles|apps` is what that script calls back for names.

import { Argument, type Command } from 'commander';
import { loadConfig } from '../config/config.js';
import type { CommandContext } from './context.js';
import { helpFooter } from './help.js';

const SHELL_NAMES = ['bash', 'zsh', 'fish'] as const;

export function registerCompletion(program: Command, ctxFor: (cmd: Command) => CommandContext): void {
  program
    .command('completion')
    .description('print a shell completion script: commands, flags, and profile and app names from the config')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELL_NAMES))
    .addHelpText(
      'after',
      `
The script asks amz-token for profile and app names as you type (from
config.json only: offline, no keychain), so it never goes stale.
` +
        helpFooter(
          [
            'source <(amz-token completion bash)                    # now; add the line to ~/.bashrc to keep it',
            'amz-token completion zsh > "${fpath[1]}/_amz-token"    # zsh, then restart it',
            'amz-token completion fish > ~/.config/fish/completions/amz-token.fish',
          ],
          '0 printed, 2 usage (unknown shell)',
        ),
    )
    .action(async (shell: (typeof SHELL_NAMES)[number], _o: unknown, cmd: Command) => {
      const ctx = ctxFor(cmd);
      const [{ describeProgram }, { completionScript }] = await Promise.all([import('../completion/spec.js'), import('../completion/scripts.js')]);
      ctx.deps.stdout.write(completionScript(shell, describeProgram(cmd.parent!)));
    });

  program
    .command('__complete', { hidden: true })
    .description('print profile or app names for shell completion, one a line')
    .argument('<what>', 'profiles or apps')
    .action(async (what: string, _o: unknown, cmd: Command) => {
      const ctx = ctxFor(cmd);
      // Completion must never print errors or warnings into the user's command line.
      const config = await loadConfig(ctx.deps.configDir).catch(() => undefined);
      if (!config) return;
      const names = what === 'profiles' ? Object.keys(config.profiles) : what === 'apps' ? Object.keys(config.apps) : [];
      for (const name of names.sort()) ctx.out.result(name);
    });
}
