// What the operator types at a prompt on a terminal: a hidden secret, or a yes/no
// answer. The terminal is put in raw mode, so Ctrl-C arrives as a character and
// becomes a cancel this process reports (exit 130), not a kill that skips it.

import { CancelledError } from './errors.js';
import type { Deps } from './deps.js';

type PromptDeps = Pick<Deps, 'stdin' | 'stderr'>;

/** A prompt that echoes nothing; Enter ends it, Ctrl-C cancels. */
export function promptHidden(deps: PromptDeps, prompt: string): Promise<string> {
  return promptRaw(deps, prompt, { echo: false, cancelled: 'cancelled at the prompt; nothing was stored' });
}

/** Asks a yes/no question; only "y" or "yes" is yes (the default is no). `cancelled`: the message when it is not. */
export async function confirm(deps: PromptDeps, question: string, cancelled: string): Promise<void> {
  const answer = await promptRaw(deps, `${question} [y/N] `, { echo: true, cancelled });
  if (!/^(y|yes)$/i.test(answer.trim())) throw new CancelledError(cancelled);
}

function promptRaw(deps: PromptDeps, prompt: string, options: { echo: boolean; cancelled: string }): Promise<string> {
  const stdin = deps.stdin as NodeJS.ReadStream;
  deps.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      deps.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CancelledError(options.cancelled));
        if (char === '\u007f' || char === '\b') {
          if (options.echo && value !== '') deps.stderr.write('\b \b');
          value = value.slice(0, -1);
        } else if (char >= ' ') {
          value += char;
          if (options.echo) deps.stderr.write(char);
        }
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
