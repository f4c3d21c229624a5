// Hardening matrix: the loopback callback server fed by a hostile local page
// or process. No row may complete the flow or crash the server: after every
// row, the real callback must still be accepted.
import { describe, it, expect, afterEach } from 'vitest';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { startCallbackServer, type CallbackServer } from '../../src/flow/callback-server.js';
import { createState } from '../../src/flow/state.js';
import { flowRig, waitForOutput } from '../support/flow.js';
import { requireTestKeyring } from '../support/cli.js';

const running: CallbackServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start() {
  const logs: string[] = [];
  const server = await startCallbackServer({
    host: '127.0.0.1',
    port: 0,
    path: '/cb',
    expectedState: (port) => createState(port, (n) => Buffer.alloc(n, 9)),
    centralOrigin: 'https://sellercentral.amazon.com',
    draft: false,
    log: (line) => logs.push(line),
  });
  running.push(server);
  return { server, logs };
}

/** Sends raw bytes and returns whatever comes back before the server closes or 2 s pass. */
function rawExchange(port: number, bytes: string | Buffer, opts: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
    if (opts.keepOpen) setTimeout(() => resolve(answer), 300);
    else setTimeout(() => { socket.end(); }, 2000).unref();
  });
}

const get = (target: string, host = 'HOST', extra = '') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;
const q = (params: Record<string, string>) => `/cb?${new URLSearchParams(params)}`;

async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

// [row, request bytes (HOST/STATE/PORT are filled in), expected status line]
const MATRIX: Array<[string, (state: string, port: number) => string | Buffer, RegExp]> = [
  ['no parameters at all', () => get('/cb'), / 400 /],
  ['state but no code', (state) => get(q({ state })), / 400 /],
  ['code but no state', () => get(q({ spapi_oauth_code: 'X123456789' })), / 400 /],
  ['a wrong state', () => get(q({ state: '1.wrong', spapi_oauth_code: 'X123456789' })), / 400 /],
  ['the right state with one character changed', (state) => get(q({ state: state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A'), spapi_oauth_code: 'X1' })), / 400 /],
  ['a duplicated state', (state) => get(`${q({ state, spapi_oauth_code: 'X123456789' })}&state=${encodeURIComponent(state)}`), / 400 /],
  ['a duplicated code', (state) => get(`${q({ state, spapi_oauth_code: 'X123456789' })}&spapi_oauth_code=Y`), / 400 /],
  ['an overlong code', (state) => get(q({ state, spapi_oauth_code: 'X'.repeat(3000) })), / 400 /],
  ['an error= parameter with the right state', (state) => get(q({ state, error: 'access_denied', error_description: '<script>x</script>' })), / 400 /],
  ['another path', (state) => get(`/other?${new URLSearchParams({ state, spapi_oauth_code: 'X123456789' })}`), / 404 /],
  ['a path traversal', () => get('/cb/../cb?x=1'), / 40\d /],
  ['POST with the right state', (state) => `POST ${q({ state, spapi_oauth_code: 'X123456789' })} HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, / 405 /],
  ['PUT', () => `PUT /cb HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, / 405 /],
  ['OPTIONS (a CORS preflight)', () => `OPTIONS /cb HTTP/1.1\r\nHost: HOST\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n`, / 405 /],
  ['a request line over 8 KiB', () => get(`/cb?pad=${'A'.repeat(9000)}`), / 414 | 431 | 400 /],
  ['64 KiB of headers', () => get('/cb', 'HOST', `X-Pad: ${'B'.repeat(64 * 1024)}\r\n`), / 431 | 400 /],
  ['a Host that is not loopback (DNS rebinding)', (state) => get(q({ state, spapi_oauth_code: 'X123456789' }), 'evil.example:PORT'), / 421 | 400 /],
  ['no Host header', (state) => `GET ${q({ state, spapi_oauth_code: 'X123456789' })} HTTP/1.1\r\nConnection: close\r\n\r\n`, / 400 | 421 /],
  ['binary garbage', () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), /^$| 400 /],
  ['HTTP/0.9 style', () => 'GET /cb\r\n\r\n', /^$| 400 /],
];

describe('hostile requests to the callback server', () => {
  it.each(MATRIX)('%s: refused, flow not completed, server still serving', async (_row, build, status) => {
    const { server } = await start();
    const bytes = build(server.state, server.port);
    const filled = typeof bytes === 'string' ? bytes.replaceAll('HOST', `127.0.0.1:${server.port}`).replaceAll('PORT', String(server.port)) : bytes;
    const answer = await rawExchange(server.port, filled);
    expect(answer.split('\r\n')[0] ?? '').toMatch(status);
    expect(answer).not.toContain('<script>x</script>');
    expect(await settled(server.code())).toBe(false);
    const good = await rawExchange(server.port, get(q({ state: server.state, spapi_oauth_code: 'GOODCODE123' }), `127.0.0.1:${server.port}`));
    expect(good.split('\r\n')[0]).toMatch(/ 303 /);
    await expect(server.code()).resolves.toMatchObject({ code: 'GOODCODE123' });
  });

  it('a slow client that never finishes its headers (slowloris) blocks nobody, and close() ends it', async () => {
    const { server } = await start();
    const slow = connect(server.port, '127.0.0.1');
    sockets.push(slow);
    slow.write(`GET /cb HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
    const drip = setInterval(() => slow.write('a'), 50);
    try {
      const good = await rawExchange(server.port, get(q({ state: server.state, spapi_oauth_code: 'GOODCODE123' }), `127.0.0.1:${server.port}`));
      expect(good).toMatch(/ 303 /);
      await expect(server.code()).resolves.toMatchObject({ code: 'GOODCODE123' });
    } finally {
      clearInterval(drip);
    }
    const closed = new Promise((r) => slow.on('close', r));
    await server.close();
    await closed; // the server destroyed the dangling connection
  });

  it('a flood of 500 stray requests neither completes the flow nor stops the server', async () => {
    const { server, logs } = await start();
    const flood = Array.from({ length: 500 }, (_, i) =>
      fetch(`http://127.0.0.1:${server.port}/cb?state=${i}.x&spapi_oauth_code=X${i}`).then((r) => r.status, () => 0),
    );
    const statuses = await Promise.all(flood);
    expect(statuses.filter((s) => s === 200 || s === 303)).toHaveLength(0);
    expect(await settled(server.code())).toBe(false);
    expect(logs.length).toBeLessThanOrEqual(25); // the terminal is not buried
    const good = await fetch(`http://127.0.0.1:${server.port}${q({ state: server.state, spapi_oauth_code: 'GOODCODE123' })}`, { redirect: 'manual' });
    expect(good.status).toBe(303);
    await expect(server.code()).resolves.toMatchObject({ code: 'GOODCODE123' });
  });

  it('listens on 127.0.0.1 only: connections to the machine\'s other addresses are refused', async () => {
    const { server } = await start();
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    expect(others.length, 'this test needs a non-loopback interface (eth0)').toBeGreaterThan(0);
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect(server.port, address);
        s.on('connect', () => (s.destroy(), resolve('connected')));
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome, address).toBe('ECONNREFUSED');
    }
  });
});

describe('the spawned binary under attack', () => {
  it('a slowloris client and a stream of stray requests do not keep request alive past --timeout: exit 6', async () => {
    requireTestKeyring();
    const r = await flowRig();
    try {
      const port = Number(new URL(r.redirectUri).port);
      const run = r.s.start(['request', '--profile', `${r.s.prefix}-siege`, '--app', r.app, '--marketplace', 'DE', '--no-browser', '--timeout', '4']);
      await waitForOutput(run.stderr, (t) => t.includes('/apps/authorize/consent?'));
      const slow = connect(port, '127.0.0.1');
      sockets.push(slow);
      slow.on('error', () => {});
      slow.write(`GET /cb HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
      const drip = setInterval(() => slow.write('a'), 200);
      let stray = 0;
      const pester = setInterval(() => {
        stray++;
        fetch(`http://127.0.0.1:${port}/cb?state=${stray}.x&spapi_oauth_code=X${stray}`).catch(() => {});
      }, 20);
      const result = await run.child;
      clearInterval(drip);
      clearInterval(pester);
      expect(result.exitCode).toBe(6);
      expect(run.stderr()).toMatch(/no authorization arrived within 4 s/);
      expect(stray).toBeGreaterThan(10);
      expect(r.s.configText()).not.toContain(`${r.s.prefix}-siege`);
    } finally {
      await r.close();
    }
  });
});
