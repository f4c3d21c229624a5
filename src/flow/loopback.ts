// Where the callback server listens for a given redirect URI: exactly there for
// a loopback URI, else on 127.0.0.1 behind the relay page. No imports of weight:
// relay-page's --help needs the default port at start-up.

import { UsageError } from '../errors.js';
import { isLoopbackHost } from '../validate.js';

/** The loopback port relay mode listens on when --port is not given; baked into the relay page. */
export const DEFAULT_RELAY_PORT = 47613;
export const RELAY_CALLBACK_PATH = '/amz-token/callback';

/** Where the callback server listens: exactly at a loopback redirect URI, else relay mode. */
export function listenTarget(redirectUri: string, port: number | undefined): { port: number; path: string; mode: 'loopback' | 'relay' } {
  const url = new URL(redirectUri);
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new UsageError(`the callback server listens on 127.0.0.1 only; register http://127.0.0.1:PORT/... instead of ${url.host}`);
    }
    const fixed = Number(url.port || 80);
    if (port !== undefined && port !== fixed) {
      throw new UsageError(`--port ${port} differs from the port of the app's loopback redirect URI (${fixed})`);
    }
    return { port: fixed, path: url.pathname, mode: 'loopback' };
  }
  return { port: port ?? DEFAULT_RELAY_PORT, path: RELAY_CALLBACK_PATH, mode: 'relay' };
}

