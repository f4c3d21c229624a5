// What the operator types at a prompt on a terminal: a hidden secret, or a yes/no
// answer. The terminal is put in raw mode, so Ctrl-C arrives as a character and
// becomes a cancel this process reports (exit 130), not a kill that skips it.

import { CancelledError } from './errors.js';
import type { Deps } from './deps.js';

type PromptDeps = Pick<Deps, 'stdin' | 'stderr'> & Partial<Pick<Deps, 'onSignal'>>;

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
    // SIGINT, SIGTERM, SIGHUP (the terminal closed) and the end of stdin cancel, as Ctrl-C does.
    const restoreSignals = deps.onSignal?.((signal) => finish(new CancelledError(`${options.cancelled} (${signal})`), false));
    const ended = () => finish(new CancelledError(options.cancelled), false);
    let done = false;
    const finish = (error?: Error, onTerminal = true) => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', ended);
      stdin.off('error', ended);
      // A closed terminal ends stdin first; the SIGHUP that follows must not kill the process while it reports.
      if (onTerminal) restoreSignals?.();
      // Raw mode off first, so the terminal is as it was whatever comes next.
      rawModeOff(stdin);
      stdin.pause();
      if (onTerminal) deps.stderr.write('\n');
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
    stdin.once('end', ended);
    stdin.once('error', ended);
  });
}

/** Gives the terminal back its line mode; a terminal that has gone (SIGHUP) refuses with EIO, and needs nothing back. */
export function rawModeOff(stdin: NodeJS.ReadStream): void {
  try {
    stdin.setRawMode?.(false);
  } catch {
    // Closed.
  }
}
