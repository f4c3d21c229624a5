// Where the callback server listens for an app's redirect URI, and hints that
// lead somewhere when it cannot: never "--port" when the redirect URI fixes the port.
import { describe, expect, it } from 'vitest';
import { listenTarget } from '../../src/flow/loopback.js';
import { UsageError } from '../../src/errors.js';

function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('listenTarget', () => {
  it('listens exactly at a loopback redirect URI, and behind the relay page for https', () => {
    expect(listenTarget('http://127.0.0.1:8765/cb', undefined, 'my-app')).toEqual({ port: 8765, path: '/cb', mode: 'loopback' });
    expect(listenTarget('https://relay.example.com/amz/', 9000, 'my-app')).toEqual({ port: 9000, path: '/amz-token/callback', mode: 'relay' });
  });

  it.each([
    ['an IPv6 loopback URI', 'http://[::1]:8765/cb', 'amz-token app set my-app --redirect-uri http://127.0.0.1:8765/cb'],
    ['port 80', 'http://localhost/cb', 'amz-token app set my-app --redirect-uri http://localhost:47613/cb'],
    ['port 0', 'http://127.0.0.1:0/cb', 'amz-token app set my-app --redirect-uri http://127.0.0.1:47613/cb'],
  ])('refuses %s from an older config with a hint that is a command: app set', (_name, uri, hint) => {
    const error = refusal(() => listenTarget(uri, undefined, 'my-app'));
    expect(error.hint).toBe(`change it with: ${hint}`);
  });

  it('refuses a --port that differs from the port the redirect URI fixes, and does not suggest another --port', () => {
    const error = refusal(() => listenTarget('http://127.0.0.1:8765/cb', 9000, 'my-app'));
    expect(error.message).toBe("--port 9000 differs from the port of the app's loopback redirect URI (8765)");
    expect(error.hint).toMatch(/^leave out --port: the redirect URI fixes it/);
  });
});
