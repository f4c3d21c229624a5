// Where the callback server listens for a given redirect URI: exactly there for
// a loopback URI, else on 127.0.0.1 behind the relay page. No imports of weight:
// relay-page's --help needs the default port at start-up.

import { UsageError } from '../errors.js';
import { isLoopbackHost, loopbackRedirectProblem } from '../validate.js';

/** The loopback port relay mode listens on when --port is not given; baked into the relay page. */
export const DEFAULT_RELAY_PORT = 47613;
export const RELAY_CALLBACK_PATH = '/amz-token/callback';

export interface ListenTarget {
  port: number;
  path: string;
  mode: 'loopback' | 'relay';
}

/** Where the callback server listens: exactly at a loopback redirect URI, else relay mode. `appName` is for the hints. */
export function listenTarget(redirectUri: string, port: number | undefined, appName: string): ListenTarget {
  const url = new URL(redirectUri);
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    // app add refuses these now; a config written before (or by hand) may still hold one.
    const problem = loopbackRedirectProblem(url);
    if (problem) {
      throw new UsageError(`the app's redirect URI ${redirectUri} cannot be used: ${problem.problem}`, `change it with: amz-token app set ${appName} --redirect-uri ${problem.instead}`);
    }
    const fixed = Number(url.port);
    if (port !== undefined && port !== fixed) {
      throw new UsageError(`--port ${port} differs from the port of the app's loopback redirect URI (${fixed})`, 'leave out --port: the redirect URI fixes it');
    }
    return { port: fixed, path: url.pathname, mode: 'loopback' };
  }
  return { port: port ?? DEFAULT_RELAY_PORT, path: RELAY_CALLBACK_PATH, mode: 'relay' };
}

/** What an operator can do when the port is taken: relay mode moves with --port; a loopback URI fixes the port. */
export function anotherPortHint(target: ListenTarget, redirectUri: string, appName: string): string {
  if (target.mode === 'relay') return 'pick another with --port';
  const url = new URL(redirectUri);
  return `change the app's redirect URI to another port (and register it at Amazon): amz-token app set ${appName} --redirect-uri http://${url.hostname}:<port>${url.pathname}`;
}
