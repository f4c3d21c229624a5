// Hardening matrix: what Login with Amazon may send back. Each reply, however
// broken, ends in bounded time with a typed error, a clear one-line message
// and the documented exit code; a secret never appears in the message.
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { exchangeCode, refreshAccessToken, type LwaOptions } from '../../src/amazon/lwa.js';
import { AmzTokenError } from '../../src/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const SECRET = 'amzn1.oa2-cs.v1.hardeningsecret0000';
const REFRESH = 'Atzr|hardening-refresh-token';
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((ok) => s.close(ok))));
});

async function lwaAnswering(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s) => sockets.add(s));
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/auth/o2/token`;
}

// The rows where Amazon never finishes answering.
const HANGS = new Set(['headers and then silence', 'no answer at all']);

function options(url: string, what: string): LwaOptions {
  // A short timeout where Amazon hangs keeps those rows quick; a long one elsewhere, so that
  // a loaded machine cannot turn "too large" or "not JSON" into "timed out". No backoff wait.
  return { url, timeoutMs: HANGS.has(what) ? 300 : 10_000, retries: 2, appName: 'shop-app', sleep: async () => {} };
}

const json = (status: number, body: unknown, type = 'application/json'): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

// [what Amazon sends, handler, expected exit code for a code exchange, for a refresh, message pattern]
const MATRIX: Array<[string, Handler, number, number, RegExp]> = [
  ['a non-JSON 200 body', json(200, 'hello, not json', 'text/plain'), 7, 7, /not JSON/],
  ['an empty 200 body', json(200, ''), 7, 7, /not JSON/],
  ['an HTML 200 page', json(200, '<html><body>Sign in</body></html>', 'text/html'), 7, 7, /not JSON/],
  ['an HTML 502 error page', json(502, '<html><h1>Bad Gateway</h1></html>', 'text/html'), 7, 7, /HTTP 502/],
  ['an HTML 403 error page', json(403, '<html>Forbidden</html>', 'text/html'), 7, 7, /HTTP 403 without an error code/],
  ['a 200 without access_token', json(200, { token_type: 'bearer', expires_in: 3600 }), 7, 7, /without an access_token/],
  ['a 200 without refresh_token (code exchange)', json(200, { access_token: 'Atza|x', token_type: 'bearer', expires_in: 3600 }), 7, 0, /no refresh_token/],
  ['a token_type other than bearer', json(200, { access_token: 'Atza|x', refresh_token: 'Atzr|y', token_type: 'mac', expires_in: 3600 }), 7, 7, /token_type "mac"/],
  ['a JSON array', json(200, '[1,2,3]'), 7, 7, /not JSON/],
  ['invalid_grant', json(400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : code' }), 6, 4, /invalid_grant/],
  ['invalid_client', json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }), 9, 9, /app "shop-app".*client secret may have expired/],
  ['unauthorized_client', json(400, { error: 'unauthorized_client' }), 9, 9, /unauthorized_client/],
  ['invalid_request', json(400, { error: 'invalid_request', error_description: 'missing redirect_uri' }), 6, 7, /invalid_request/],
  ['server_error, every time', json(500, { error: 'server_error' }), 7, 7, /HTTP 500 \(server_error\).*after 3 attempts/],
  ['429, every time', json(429, { error: 'rate limited' }), 7, 7, /HTTP 429/],
  ['an error description echoing the secret', json(401, { error: 'invalid_client', error_description: `bad secret ${SECRET} for ${REFRESH}` }), 9, 9, /\*\*\*/],
  ['a huge body (8 MiB)', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"access_token":"${'A'.repeat(8 * 1024 * 1024)}"}`);
  }, 7, 7, /larger than/],
  ['a connection reset mid-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    res.write('{"access_token":"Atza|partial');
    setImmediate(() => res.socket?.destroy());
  }, 7, 7, /unreachable or failing/],
  ['headers and then silence', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"access_token":');
  }, 7, 7, /timed out/],
  ['no answer at all', () => {}, 7, 7, /timed out/],
];

describe('LWA replies, code exchange', () => {
  it.each(MATRIX)('%s', async (what, handler, codeExit, _refreshExit, message) => {
    const url = await lwaAnswering(handler);
    const outcome = await exchangeCode(options(url, what), { clientId: 'amzn1.application-oa2-client.abc', clientSecret: SECRET }, 'CODE123', 'https://e/cb').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(AmzTokenError);
    const error = outcome as AmzTokenError;
    expect(error.exitCode).toBe(codeExit);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(REFRESH);
  });
});

describe('LWA replies, refresh', () => {
  it.each(MATRIX.filter(([, , , refreshExit]) => refreshExit !== 0))('%s', async (what, handler, _codeExit, refreshExit, message) => {
    const url = await lwaAnswering(handler);
    const outcome = await refreshAccessToken(options(url, what), { clientId: 'amzn1.application-oa2-client.abc', clientSecret: SECRET }, REFRESH).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(AmzTokenError);
    expect((outcome as AmzTokenError).exitCode).toBe(refreshExit);
    expect((outcome as AmzTokenError).message).toMatch(message);
    expect((outcome as AmzTokenError).message).not.toContain(REFRESH);
  });

  it('a code rejected by Amazon is sent exactly once; a 503 is retried', async () => {
    let calls = 0;
    const rejecting = await lwaAnswering((req, res) => {
      calls++;
      json(400, { error: 'invalid_grant' })(req, res);
    });
    await expect(exchangeCode(options(rejecting, 'rejecting'), { clientId: 'c', clientSecret: SECRET }, 'CODE', 'https://e/cb')).rejects.toThrow(/invalid_grant/);
    expect(calls).toBe(1);
    let flaky = 0;
    const recovering = await lwaAnswering((req, res) => {
      flaky++;
      if (flaky <= 2) json(503, { error: 'temporarily_unavailable' })(req, res);
      else json(200, { access_token: 'Atza|ok', refresh_token: 'Atzr|ok', token_type: 'bearer', expires_in: 3600 })(req, res);
    });
    await expect(exchangeCode(options(recovering, 'recovering'), { clientId: 'c', clientSecret: SECRET }, 'CODE', 'https://e/cb')).resolves.toMatchObject({ refreshToken: 'Atzr|ok' });
    expect(flaky).toBe(3);
  });
});
