// The CSRF state sent with the consent URI: it carries the loopback port so that
// a relay page on https can find the CLI, plus 32 random bytes nobody can guess.

import { timingSafeEqual } from 'node:crypto';

// The relay page (relay-page.ts) reads the port with this same pattern.
export const STATE_PORT_PREFIX = /^([1-9][0-9]{0,4})\./;

export function createState(port: number, randomBytes: (n: number) => Buffer): string {
  // Port 0 would send the relay page nowhere: the state must be made after listening.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`createState needs the listening port (1-65535), got ${String(port)}`);
  }
  const bytes = randomBytes(32);
  if (bytes.length !== 32) throw new RangeError(`createState needs 32 random bytes, got ${bytes.length}`);
  return `${port}.${bytes.toString('base64url')}`;
}

export function portFromState(state: string): number | undefined {
  const match = STATE_PORT_PREFIX.exec(state);
  if (!match?.[1]) return undefined;
  const port = Number(match[1]);
  return port <= 65535 ? port : undefined;
}

/** Constant-time for equal lengths; the length of our own state is no secret. */
export function statesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
