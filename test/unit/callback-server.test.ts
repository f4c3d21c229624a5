import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { FlowError, UsageError } from '../../src/errors.js';
import { startCallbackServer, type CallbackServer, type CallbackServerOptions } from '../../src/flow/callback-server.js';
import { createState, portFromState, statesEqual } from '../../src/flow/state.js';

const CODE = 'ANcodeFromAmazon0123';
const FIXED_BYTES = (n: number) => Buffer.alloc(n, 7);

const running: CallbackServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(overrides: Partial<CallbackServerOptions> = {}) {
  const logs: string[] = [];
  const server = await startCallbackServer({
    host: '127.0.0.1',
    port: 0,
    path: '/callback',
    expectedState: (port) => createState(port, FIXED_BYTES),
    centralOrigin: 'https://sellercentral.amazon.com',
    draft: false,
    log: (line) => logs.push(line),
    ...overrides,
  });
  running.push(server);
  return { server, logs };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http with agent:false, so that Host, method and connection reuse are ours to choose. */
function raw(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function callbackPath(query: Record<string, string>): string {
  return `/callback?${new URLSearchParams(query).toString()}`;
}

/** True once the promise has settled; setImmediate lets every pending reaction run first. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** Listening sockets still open, after libuv has had a few loop turns to run close callbacks. */
async function tcpServerCount(): Promise<number> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;
}

describe('the state the server checks', () => {
  it('is PORT.base64url(32 random bytes)', () => {
    const state = createState(8765, (n) => Buffer.alloc(n, 0xff));
    expect(state).toBe(`8765.${'_'.repeat(42)}8`);
    expect(portFromState(state)).toBe(8765);
  });

  it('cannot be made for port 0 (the relay page would not find the server)', () => {
    expect(() => createState(0, FIXED_BYTES)).toThrow(RangeError);
  });

  it.each(['', 'abc', '.abc', '0.abc', '70000.abc', '08765.abc', '8765'])('has no port in %j', (state) => {
    expect(portFromState(state)).toBeUndefined();
  });

  it('compares equal strings as equal and different lengths as different, without throwing', () => {
    expect(statesEqual('8765.abc', '8765.abc')).toBe(true);
    expect(statesEqual('8765.abc', '8765.abd')).toBe(false);
    expect(statesEqual('8765.abc', '8765.abcd')).toBe(false);
    expect(statesEqual('', 'x')).toBe(false);
    expect(statesEqual('é', 'e\u0301')).toBe(false);
  });
});

describe('startCallbackServer', () => {
  it('listens on 127.0.0.1 and derives the state from the chosen port', async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/callback`);
    expect(server.state).toBe(createState(server.port, FIXED_BYTES));
  });

  it('resolves on a valid code and 303s to the done page', async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}?state=${server.state}&selling_partner_id=A3SELLER&spapi_oauth_code=${CODE}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/callback/done');
    expect(response.headers.get('cache-control')).toBe('no-store');
    await expect(server.code()).resolves.toEqual({ code: CODE, sellingPartnerId: 'A3SELLER', via: 'callback' });

    const done = await fetch(new URL('/callback/done', server.url));
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain('Authorization received');
    expect(html).toContain('you can close this tab'.replace('you', 'You'));
    expect(html).not.toContain(CODE);
  });

  it('sends the hardening headers on every page', async () => {
    const { server } = await start();
    for (const path of ['/callback/done', '/nowhere', '/callback']) {
      const response = await raw(server.port, path);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('answers a wrong state with 400, logs one line and keeps waiting for the right one', async () => {
    const { server, logs } = await start();
    const wrong = await raw(server.port, callbackPath({ state: `${server.port}.forged`, spapi_oauth_code: CODE }));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('state does not match');
    expect(wrong.body).not.toContain(CODE);
    expect(logs).toEqual(['ignored a callback with the wrong state']);
    expect(await hasSettled(server.code())).toBe(false);

    const right = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
    expect(right.status).toBe(303);
    await expect(server.code()).resolves.toEqual({ code: CODE, via: 'callback' });
  });

  it.each([
    ['a missing code', { state: 'S' }, 'no spapi_oauth_code'],
    ['an Amazon error', { error: 'access_denied' }, 'Amazon reported an error'],
  ])('answers %s with 400 and keeps waiting', async (_name, query, text) => {
    const { server, logs } = await start();
    const response = await raw(server.port, callbackPath(query));
    expect(response.status).toBe(400);
    expect(response.body).toContain(text);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(text);
    expect(await hasSettled(server.code())).toBe(false);
  });

  it('rejects duplicated parameters even when one copy is right', async () => {
    const { server } = await start();
    const response = await raw(server.port, `/callback?state=${server.state}&spapi_oauth_code=${CODE}&spapi_oauth_code=${CODE}x`);
    expect(response.status).toBe(400);
    expect(response.body).toContain('repeats the spapi_oauth_code parameter');
    expect(response.body).not.toContain(CODE);
    expect(await hasSettled(server.code())).toBe(false);
  });

  it('escapes what an attacker puts into the error page', async () => {
    const { server } = await start();
    const response = await raw(server.port, callbackPath({ error: '<script>alert(1)</script>' }));
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('<script>');
    expect(response.body).toContain('&lt;script&gt;');
  });

  describe('Login URI detour', () => {
    it('302s to a relative amazon_callback_uri on the Seller Central host, keeping its query, adding version=beta for drafts', async () => {
      const { server, logs } = await start({ draft: true });
      const response = await raw(
        server.port,
        callbackPath({
          amazon_callback_uri: '/apps/authorize/confirm/amzn1.sp.solution.abc?existing=1',
          amazon_state: 'AMZSTATE',
          selling_partner_id: 'A3SELLER',
        }),
      );
      expect(response.status).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(location.origin).toBe('https://sellercentral.amazon.com');
      expect(location.pathname).toBe('/apps/authorize/confirm/amzn1.sp.solution.abc');
      expect(location.searchParams.get('existing')).toBe('1');
      expect(location.searchParams.get('amazon_state')).toBe('AMZSTATE');
      expect(location.searchParams.get('state')).toBe(server.state);
      expect(location.searchParams.get('version')).toBe('beta');
      expect(logs).toHaveLength(1);
      expect(await hasSettled(server.code())).toBe(false);
    });

    it('adds no version for a published app', async () => {
      const { server } = await start({ draft: false });
      const response = await raw(server.port, callbackPath({ amazon_callback_uri: '/apps/authorize/confirm/x', amazon_state: 'A' }));
      expect(response.status).toBe(302);
      expect(new URL(String(response.headers.location)).searchParams.has('version')).toBe(false);
    });

    it('follows an http amazon_callback_uri only on the central origin itself (test centrals)', async () => {
      const { server } = await start({ centralOrigin: 'http://127.0.0.1:9' });
      const same = await raw(server.port, callbackPath({ amazon_callback_uri: 'http://127.0.0.1:9/confirm', amazon_state: 'A' }));
      expect(same.status).toBe(302);
      expect(String(same.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:9\/confirm\?amazon_state=A&state=/);
      const relative = await raw(server.port, callbackPath({ amazon_callback_uri: '/confirm', amazon_state: 'A' }));
      expect(String(relative.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:9\/confirm\?/);
    });

    it.each([
      ['javascript:', 'javascript:alert(document.domain)'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['plain http elsewhere', 'http://evil.example/confirm'],
      ['protocol-relative http from an http central', '//evil.example/confirm'],
      ['https but not Amazon (it would learn our state)', 'https://evil.example/apps/authorize/confirm'],
      ['https on a look-alike host', 'https://sellercentral.amazon.com.evil.example/confirm'],
    ])('refuses a %s amazon_callback_uri', async (_name, uri) => {
      const { server, logs } = await start({ centralOrigin: 'http://127.0.0.1:9' });
      const response = await raw(server.port, callbackPath({ amazon_callback_uri: uri, amazon_state: 'A' }));
      expect(response.status).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).not.toContain('<script>');
      expect(logs[0]).toMatch(/^ignored a Login URI request/);
    });
  });

  describe('what else the server answers', () => {
    it.each(['/', '/nowhere', '/callback/', '/callback/done/x', '//evil.example/callback', '/CALLBACK'])('404s %s', async (path) => {
      const { server } = await start();
      const response = await raw(server.port, path);
      expect(response.status).toBe(404);
      expect(response.body).toContain('<main>');
    });

    it('405s a POST, even to the callback path', async () => {
      const { server } = await start();
      const response = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }), { method: 'POST' });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(await hasSettled(server.code())).toBe(false);
    });

    it('answers HEAD without a body', async () => {
      const { server } = await start();
      const response = await raw(server.port, '/callback/done', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.body).toBe('');
    });

    it('414s an overlong address', async () => {
      const { server } = await start();
      const response = await raw(server.port, `/callback?state=${'s'.repeat(9000)}`);
      expect(response.status).toBe(414);
    });

    it.each(['evil.example', 'evil.example:PORT', '127.0.0.1:1', '127.0.0.1', 'localhost.evil.example:PORT'])(
      'rejects Host %s (DNS rebinding)',
      async (host) => {
        const { server, logs } = await start();
        const response = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }), {
          headers: { Host: host.replace('PORT', String(server.port)) },
        });
        expect(response.status).toBe(421);
        expect(logs).toHaveLength(1);
        expect(await hasSettled(server.code())).toBe(false);
      },
    );

    it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])('accepts Host %s', async (host) => {
      const { server } = await start();
      const response = await raw(server.port, '/callback/done', { headers: { Host: host.replace('PORT', String(server.port)) } });
      expect(response.status).toBe(200);
    });

    it('survives a flood of bad requests and stops logging each one', async () => {
      const { server, logs } = await start();
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) => raw(server.port, callbackPath({ state: `forged${i}`, spapi_oauth_code: CODE }))),
      );
      expect(responses.every((response) => response.status === 400)).toBe(true);
      expect(logs.length).toBe(21);
      expect(logs.at(-1)).toMatch(/no longer reporting/);
      const good = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      expect(good.status).toBe(303);
      await expect(server.code()).resolves.toMatchObject({ code: CODE });
    });

    it('keeps serving while another client dribbles its headers', async () => {
      const { server } = await start();
      const slow = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => slow.once('connect', resolve));
      slow.write('GET /callback HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const response = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      expect(response.status).toBe(303);
      slow.destroy();
    });
  });

  describe('listening errors', () => {
    it('names the port when it is already in use, with the hint its caller knows to give', async () => {
      const { server } = await start();
      const error: unknown = await start({ port: server.port, anotherPort: 'pick another with --port' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowError);
      expect((error as FlowError).message).toBe(`port ${server.port} on 127.0.0.1 is already in use`);
      expect((error as FlowError).hint).toBe('free it, or pick another with --port');
      expect((error as FlowError).exitCode).toBe(6);
    });

    it.each([
      ['a non-loopback host', { host: '0.0.0.0' as '127.0.0.1' }],
      ['a port out of range', { port: 70000 }],
      ['a path with a query', { path: '/callback?x=1' }],
      ['a relative path', { path: 'callback' }],
      ['a non-http central', { centralOrigin: 'javascript:alert(1)' }],
    ])('refuses %s as a usage error', async (_name, overrides) => {
      await expect(start(overrides)).rejects.toBeInstanceOf(UsageError);
    });
  });

  describe('paste-back', () => {
    it('rejects a pasted address with the wrong state, then accepts a bare code', async () => {
      const { server } = await start();
      const wrong = server.submitPasted(`https://relay.example.com/amz?state=${server.port}.other&spapi_oauth_code=${CODE}`);
      expect(wrong.accepted).toBe(false);
      expect(wrong.message).toMatch(/state does not match/);
      expect(wrong.message).not.toContain(CODE);
      expect(await hasSettled(server.code())).toBe(false);

      const bare = server.submitPasted(`  ${CODE}\n`);
      expect(bare.accepted).toBe(true);
      await expect(server.code()).resolves.toEqual({ code: CODE, via: 'paste' });
    });

    it('accepts a pasted address with the right state, keeping the selling partner id', async () => {
      const { server } = await start();
      const pasted = server.submitPasted(`https://relay.example.com/amz?state=${server.state}&selling_partner_id=A3&spapi_oauth_code=${CODE}`);
      expect(pasted).toEqual({ accepted: true, message: 'accepted the pasted address' });
      await expect(server.code()).resolves.toEqual({ code: CODE, sellingPartnerId: 'A3', via: 'paste' });
    });

    it.each([
      ['nothing', '', /nothing was pasted/],
      ['prose', 'it did not work', /neither the address/],
      ['an address without a code', 'https://relay.example.com/amz?foo=1', /no spapi_oauth_code/],
    ])('explains why it rejects %s', async (_name, input, message) => {
      const { server } = await start();
      const pasted = server.submitPasted(input);
      expect(pasted.accepted).toBe(false);
      expect(pasted.message).toMatch(message);
    });

    it('answers a pasted Login URI address with the address that continues the detour', async () => {
      const { server } = await start({ draft: true });
      const pasted = server.submitPasted('https://relay.example.com/amz?amazon_callback_uri=%2Fapps%2Fconfirm&amazon_state=AS');
      expect(pasted.accepted).toBe(false);
      const next = new URL(pasted.message.slice(pasted.message.indexOf('https://')));
      expect(next.origin + next.pathname).toBe('https://sellercentral.amazon.com/apps/confirm');
      expect(next.searchParams.get('amazon_state')).toBe('AS');
      expect(next.searchParams.get('state')).toBe(server.state);
      expect(next.searchParams.get('version')).toBe('beta');
    });
  });

  describe('first one wins', () => {
    it('ignores a paste after the callback won', async () => {
      const { server } = await start();
      await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      const pasted = server.submitPasted('ANotherCode123456');
      expect(pasted.accepted).toBe(false);
      await expect(server.code()).resolves.toEqual({ code: CODE, via: 'callback' });
    });

    it("lets the seller's callback in behind a pasted code on trial; once the paste is set aside, the callback is the code to try", async () => {
      const { server, logs } = await start();
      const pasted = 'ANpastedCodeOnTrialx';
      server.submitPasted(pasted);
      const behind = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      expect(behind.status).toBe(303);
      expect(logs).toEqual([]);
      const tried = await server.code();
      expect(tried).toEqual({ code: pasted, via: 'paste' });
      server.setAside(tried, 'invalid_grant');
      await expect(server.code()).resolves.toEqual({ code: CODE, via: 'callback' });
    });

    it('answers a second code after the callback won with 409', async () => {
      const { server, logs } = await start();
      await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      const late = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: 'ANsecondCodeLateComer' }));
      expect(late.status).toBe(409);
      expect(logs).toEqual(['ignored a callback that arrived after the authorization was received']);
    });

    it('waits again once the only (pasted) code is set aside, and a later paste is let in', async () => {
      const { server } = await start();
      server.submitPasted('ANpastedCodeOnTrialx');
      const tried = await server.code();
      expect(server.submitPasted('ANanotherPasteMeanwh').accepted).toBe(false); // one code on trial at a time
      expect(server.setAside(tried, 'invalid_grant: bad code').message).toMatch(/^Amazon rejected the pasted code \(invalid_grant: bad code\); still waiting for the seller/);
      expect(await hasSettled(server.code())).toBe(false);
      expect(server.submitPasted(`?state=${server.state}&selling_partner_id=A3&spapi_oauth_code=${CODE}`).accepted).toBe(true);
      await expect(server.code()).resolves.toEqual({ code: CODE, sellingPartnerId: 'A3', via: 'paste' });
    });

    it('sends a reload of the winning callback to the done page, but refuses a second code', async () => {
      const { server } = await start();
      const path = callbackPath({ state: server.state, spapi_oauth_code: CODE });
      await raw(server.port, path);
      expect((await raw(server.port, path)).status).toBe(303);
      expect((await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: `${CODE}2` }))).status).toBe(409);
      await expect(server.code()).resolves.toMatchObject({ code: CODE });
    });
  });

  describe('close()', () => {
    it('is idempotent, stops listening and leaves no server handle', async () => {
      const before = await tcpServerCount();
      const server = await startCallbackServer({
        host: '127.0.0.1',
        port: 0,
        path: '/callback',
        expectedState: 'fixed-state',
        centralOrigin: 'https://sellercentral.amazon.com',
        draft: false,
        log: () => {},
      });
      expect(await tcpServerCount()).toBe(before + 1);
      const first = server.close();
      const second = server.close();
      await Promise.all([first, second, server.close()]);
      expect(await tcpServerCount()).toBe(before);
      const refused = await raw(server.port, '/callback/done').catch((e: NodeJS.ErrnoException) => e.code);
      expect(refused).toBe('ECONNREFUSED');
    });

    it('rejects a pending result with a FlowError', async () => {
      const { server } = await start();
      await server.close();
      await expect(server.code()).rejects.toBeInstanceOf(FlowError);
      expect(server.submitPasted('LateCode12345678').accepted).toBe(false);
    });

    it('destroys a lingering connection instead of waiting for its timeout', async () => {
      const { server } = await start();
      const lingering: Socket = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => lingering.once('connect', resolve));
      lingering.write('GET /callback/done HTTP/1.1\r\n'); // never finishes its headers
      const closedByServer = new Promise<void>((resolve) => lingering.once('close', () => resolve()));
      lingering.on('error', () => {});
      await server.close();
      // The point is "before the 10 s request timeout would have ended it", not a
      // benchmark: only a server that waits for that timeout loses this race.
      const first = await Promise.race([
        closedByServer.then(() => 'closed by close()'),
        new Promise<string>((resolve) => setTimeout(() => resolve('left to the request timeout'), 9_000).unref()),
      ]);
      expect(first).toBe('closed by close()');
    });

    it('lets the browser fetch the done page after the code arrived', async () => {
      const { server } = await start();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const callback = await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }), { agent });
        expect(callback.status).toBe(303);
        await server.code();
        // What the CLI does as soon as result resolves, before the browser follows the 303.
        const closing = server.close();
        const done = await raw(server.port, String(callback.headers.location), { agent });
        expect(done.status).toBe(200);
        expect(done.body).toContain('Authorization received');
        await closing;
      } finally {
        agent.destroy();
      }
    });

    it('lets the done page through on a fresh connection too', async () => {
      const { server } = await start();
      await raw(server.port, callbackPath({ state: server.state, spapi_oauth_code: CODE }));
      const closing = server.close();
      const done = await raw(server.port, '/callback/done');
      expect(done.status).toBe(200);
      await closing;
    });
  });
});
