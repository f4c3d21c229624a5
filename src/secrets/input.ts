// Reads a secret the operator hands over: all of stdin when it is a pipe, a
// hidden prompt on a terminal. Secrets never come from argv (ps would show them).

import { UsageError } from '../errors.js';
import type { Deps } from '../deps.js';
import { promptHidden } from '../prompt.js';

export interface ReadSecretOptions {
  /** e.g. "client secret": used in the prompt and in errors. */
  what: string;
  allowPrompt: boolean;
  /** Checks the trimmed value; returns a problem or undefined. */
  check?: (value: string) => string | undefined;
  /** A password may hold spaces (inside it; the ends are trimmed with the newline); a token may not. */
  allowSpaces?: boolean;
}

const MAX_SECRET_BYTES = 64 * 1024;

export async function readSecret(deps: Pick<Deps, 'stdin' | 'stdinIsTTY' | 'stderr'>, options: ReadSecretOptions): Promise<string> {
  let value: string;
  if (deps.stdinIsTTY) {
    if (!options.allowPrompt) {
      throw new UsageError(`the ${options.what} must be piped on stdin: --no-input forbids prompting`, `e.g. pass-cli show ... | amz-token ...`);
    }
    value = await promptHidden(deps, `${options.what}: `);
  } else {
    value = await readAll(deps.stdin);
  }
  value = value.trim();
  if (value === '') throw new UsageError(`no ${options.what} on stdin`, `pipe it in, e.g. amz-token ... < secret.txt`);
  if (!options.allowSpaces && /\s/.test(value)) throw new UsageError(`the ${options.what} on stdin contains whitespace; pass exactly one value`);
  const problem = options.check?.(value);
  if (problem) throw new UsageError(problem);
  return value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) throw new UsageError(`stdin holds more than ${MAX_SECRET_BYTES} bytes; expected one secret`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
