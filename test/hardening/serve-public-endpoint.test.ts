// Hardening matrix for `amz-token serve`, the public endpoint: hostile requests straight to its
// listener (what nginx would pass on), each of which must be refused with a 4xx page that quotes
// nothing unescaped, shows no stack trace, carries the CSP and Referrer-Policy, and sends nobody to
// Amazon or anywhere else; after the matrix, serve still completes a real seller's flow.
import { connect, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestKeyring } from '../support/cli.js';
import { confirmConsent } from '../support/flow.js';
import { startServeRig, type ServeRig } from '../support/serve-rig.js';

const SERVED_SELLER = 'A3SERVEDSELLER1';
let rig: ServeRig;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  requireTestKeyring();
  rig = await startServeRig();
  port = Number(new URL(rig.direct).port);
  // A seller of its own: a Manage-Your-Apps visit names exactly one profile.
  await rig.profile(`${rig.s.prefix}-served`, { sellingPartnerId: SERVED_SELLER });
});

afterAll(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await rig?.close();
});

interface Answer {
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
}

function parse(raw: string): Answer {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const lines = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, head, headers, body: split < 0 ? '' : raw.slice(split + 4) };
}

/** Sends raw bytes to serve and returns what comes back before it closes (or `limitMs` pass). */
function raw(bytes: string | Buffer, limitMs = 5000): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    const done = () => resolve(parse(answer));
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
    setTimeout(() => socket.destroy(), limitMs).unref();
  });
}

let clients = 0;
/**
 * One GET to serve as nginx would pass it on: the made-up host and a forwarded client address,
 * a new one per request unless given, so the per-client attempt limit bites only where a test means it to.
 */
function get(target: string, extra: Record<string, string> = {}, limitMs?: number): Promise<Answer> {
  clients += 1;
  const client = `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
  const headers = { Host: rig.host, 'X-Forwarded-For': client, 'X-Forwarded-Proto': 'https', ...extra };
  return raw(`GET ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`, limitMs);
}

const path = (rest: string) => `/amz-token${rest}`;

/** What every answer must satisfy, whatever was asked. */
function expectSafePage(answer: Answer, row: string): void {
  expect(answer.status, row).toBeGreaterThan(0);
  expect(answer.status, `${row}: no server error`).toBeLessThan(500);
  expect(answer.body, `${row}: no stack trace`).not.toMatch(/\bat [\w.<>]+ \(|node:internal|\.ts:\d+|\.js:\d+|TypeError|RangeError/);
  if ((answer.headers['content-type'] ?? '').startsWith('text/html')) {
    expect(answer.headers['content-security-policy'], `${row}: CSP`).toMatch(/default-src 'none'/);
    expect(answer.headers['referrer-policy'], `${row}: Referrer-Policy`).toBe('no-referrer');
  }
  // Nothing a request sent comes back as markup.
  expect(answer.body).not.toMatch(/<script|<img|javascript:|onerror=/i);
}

/** Where a redirect goes, if it does. */
function redirectTarget(answer: Answer): URL | undefined {
  if (answer.status < 300 || answer.status >= 400) return undefined;
  return new URL(answer.headers.location ?? '', `https://${rig.host}`);
}

/**
 * The callback answers every outcome with a 303, failures to <path>/result/<kind>, so that code and
 * state leave the address bar: follows that one hop (and only to there), and checks it carries
 * neither, nor anything the request sent.
 */
async function followToResult(answer: Answer): Promise<Answer> {
  const target = redirectTarget(answer);
  if (!target || target.pathname === path('/done')) return answer;
  expect(target.origin).toBe(`https://${rig.host}`);
  expect(target.pathname).toMatch(/^\/amz-token\/result\/[a-z-]+$/);
  expect(target.search).not.toMatch(/code|state|script|%3C|</i);
  return get(`${target.pathname}${target.search}`);
}

/** A new invitation for a fresh profile; returns the link's path under serve. */
async function invitation(name: string): Promise<{ profile: string; link: string; target: string }> {
  const profile = `${rig.s.prefix}-${name}`;
  await rig.profile(profile);
  const link = await rig.invite(profile);
  return { profile, link, target: new URL(link).pathname };
}

/** The consent URL an invitation's landing page links to, or undefined when it offers none. */
function consentLink(answer: Answer): string | undefined {
  return /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(answer.body)?.[1]?.replaceAll('&amp;', '&');
}

/** The browser cookie an answer sets, as the browser sends it back. */
function cookieOf(answer: Answer): Record<string, string> {
  const set = answer.headers['set-cookie'];
  return set ? { Cookie: set.split(';')[0]! } : {};
}

/** A seller's whole flow against serve directly: landing page, consent, callback; returns the callback's answer. */
async function sellerFlow(link: string, client = '192.0.2.77'): Promise<Answer> {
  const landing = await get(new URL(link).pathname, { 'X-Forwarded-For': client });
  expect(landing.status).toBe(200);
  const callback = new URL(await confirmConsent(consentLink(landing)!));
  // A callback asks Amazon several things (exchange, who granted it, who the profile's seller is):
  // on a loaded machine that takes longer than a page does, and serve bounds it itself (20 s).
  return get(`${callback.pathname}${callback.search}`, { 'X-Forwarded-For': client, ...cookieOf(landing) }, 30_000);
}

describe('serve refuses hostile and dead requests', () => {
  // [row, request target (under the base path unless it starts with '!'), extra headers]
  const ROWS: Array<[string, string, Record<string, string>?]> = [
    ['an unknown path', '/nothing-here'],
    ['a path outside the base path', '!/other/i/x'],
    ['a path traversal', '/i/../../etc/passwd'],
    ['an encoded path traversal', '/i/%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['markup as the invitation', `/i/${encodeURIComponent('<script>alert(1)</script>')}`],
    ['bad UTF-8 as the invitation', '/i/%ff%fe%c3%28'],
    ['an overlong invitation', `/i/${'A'.repeat(4000)}`],
    ['a callback without parameters', '/callback'],
    ['a callback with markup in state and code', `/callback?state=${encodeURIComponent('<script>alert(1)</script>')}&spapi_oauth_code=${encodeURIComponent('<img src=x onerror=alert(1)>')}`],
    ['a callback with an error and markup in its description', `/callback?error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`],
    ['a callback with bad UTF-8', '/callback?state=%ff%fe&spapi_oauth_code=%c3%28'],
    ['a callback with a forged state', '/callback?state=eyJpIjoiQUFBQUFBQUFBQUFBQUFBQSIsImUiOjk5OTk5OTk5OTl9.AAAA&spapi_oauth_code=ANDxxxx'],
    ['a callback with a duplicated state', '/callback?state=a&state=b&spapi_oauth_code=c'],
    ['a query over 8 KiB', `/healthz?pad=${'A'.repeat(9000)}`],
    ['a Login URI visit with markup', `/login?selling_partner_id=${encodeURIComponent('<script>alert(1)</script>')}`],
    ['the done page with a code in its query', '/done?spapi_oauth_code=ABC&state=x'],
  ];

  it.each(ROWS)('%s: a 4xx page (or a clean page), no redirect but to a result page of its own, nothing quoted', async (row, target, extra) => {
    const answer = await followToResult(await get(target.startsWith('!') ? target.slice(1) : path(target), extra));
    expectSafePage(answer, row);
    expect(redirectTarget(answer), row).toBeUndefined();
    expect(answer.status === 200 ? row === 'the done page with a code in its query' || row === 'a Login URI visit with markup' : answer.status >= 400, `${row}: ${answer.status}`).toBe(true);
  });

  it('oversize headers (64 KiB) and a request line over 16 KiB are refused before any route runs', async () => {
    const big = await get(path('/healthz'), { 'X-Pad': 'B'.repeat(64 * 1024) });
    expect(big.status).toBe(431);
    const long = await raw(`GET ${path(`/i/${'C'.repeat(16 * 1024)}`)} HTTP/1.1\r\nHost: ${rig.host}\r\nConnection: close\r\n\r\n`);
    expect([400, 414, 431]).toContain(long.status);
  });

  it('methods other than GET and HEAD get 405, and a CORS preflight gets no CORS headers', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await raw(`${method} ${path('/callback')} HTTP/1.1\r\nHost: ${rig.host}\r\nOrigin: https://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer.status, method).toBe(405);
      expect(answer.headers['access-control-allow-origin'], method).toBeUndefined();
    }
  });

  it('every page, the success page and the landing page included, carries the CSP and Referrer-Policy: no-referrer', async () => {
    const { link } = await invitation('headers');
    for (const target of [new URL(link).pathname, path('/done'), path('/login'), path('/nothing'), path('/healthz')]) {
      const answer = await get(target);
      expect(answer.headers['referrer-policy'], target).toBe('no-referrer');
      expect(answer.headers['content-security-policy'], target).toMatch(/default-src 'none'/);
      expect(answer.headers['content-security-policy'], target).toMatch(/frame-ancestors 'none'/);
    }
  });
});

describe('dead invitation links get a 4xx page that says what to do, and nobody is sent to Amazon', () => {
  function expectDead(answer: Answer, why: RegExp): void {
    expectSafePage(answer, String(why));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(redirectTarget(answer)).toBeUndefined();
    expect(consentLink(answer)).toBeUndefined();
    expect(answer.body).not.toContain(rig.double.origin);
    expect(answer.body).toMatch(why);
    expect(answer.body).toMatch(/new link/);
  }

  it('a changed link (one character of its signature, its payload, or cut short)', async () => {
    const { target } = await invitation('changed');
    const last = target.at(-1) === 'A' ? 'B' : 'A';
    expectDead(await get(`${target.slice(0, -1)}${last}`), /not valid/);
    const dot = target.lastIndexOf('.');
    expectDead(await get(`${target.slice(0, dot - 1)}${target[dot - 1] === 'A' ? 'B' : 'A'}${target.slice(dot)}`), /not valid/);
    expectDead(await get(target.slice(0, -5)), /not valid/);
    // The untouched link still works: the refusals were about the changes.
    expect((await get(target)).status).toBe(200);
  });

  it('a revoked link', async () => {
    const { link, target } = await invitation('revoked');
    const listed = await rig.s.run(['invite', 'list', '--json']);
    const id = (JSON.parse(String(listed.stdout)) as Array<{ id: string; url?: string; profile: string }>).find((i) => link.includes(i.id) || i.profile.endsWith('-revoked'))!.id;
    const revoked = await rig.s.run(['invite', 'revoke', id]);
    expect(revoked.exitCode, `${id}: ${String(revoked.stderr)}`).toBe(0);
    expectDead(await get(target), /withdrawn/);
  });

  it('an expired link (its record in config.json says so)', async () => {
    const { target } = await invitation('expired');
    const file = `${rig.s.configDir}/config.json`;
    const config = JSON.parse(readFileSync(file, 'utf8')) as { invitations: Record<string, { profile: string; expiresAt: string }> };
    for (const record of Object.values(config.invitations)) if (record.profile.endsWith('-expired')) record.expiresAt = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(file, JSON.stringify(config, null, 2));
    expectDead(await get(target), /expired/);
  });

  it('a used link, and its callback replayed', async () => {
    const { profile, link, target } = await invitation('used');
    const before = await rig.refreshToken(profile);
    const landing = await get(target);
    const callback = new URL(await confirmConsent(consentLink(landing)!));
    const done = await get(`${callback.pathname}${callback.search}`, cookieOf(landing));
    expect(done.status).toBe(303);
    const after = await rig.refreshToken(profile);
    expect(after).not.toBe(before);
    expectDead(await get(target), /already been used/);
    const replay = await followToResult(await get(`${callback.pathname}${callback.search}`, cookieOf(landing)));
    expectSafePage(replay, 'replayed callback');
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(await rig.refreshToken(profile)).toBe(after);
    expect(link).toBeTruthy();
  });
});

describe('the Login URI redirects only to Amazon (no open redirect)', () => {
  const central = () => new URL(rig.double.origin);
  const login = (callbackUri: string, seller = SERVED_SELLER) =>
    path(`/login?${new URLSearchParams({ amazon_callback_uri: callbackUri, amazon_state: 'amz-state-1', selling_partner_id: seller })}`);

  const TRICKS = [
    '//evil.example/apps/authorize/callback',
    '/\\evil.example/apps/authorize/callback',
    '\\\\evil.example/x',
    'javascript:alert(document.cookie)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https:%2F%2Fevil.example%2F',
    'https:/%2Fevil.example/',
    'https://sellercentral.amazon.com@evil.example/apps/authorize/callback',
    'https://evil.example\\@sellercentral.amazon.com/',
    'https://sellercentral.amazon.com.evil.example/apps/authorize/callback',
    'https://evil.example/sellercentral.amazon.com',
    'https://sellercentral-amazon.com/apps/authorize/callback',
    'https://sellercentral.amazon.evil/apps/authorize/callback',
    'https://xn--sellercentral-amazon-com.example/',
    'http://sellercentral.amazon.com/apps/authorize/callback',
    'https://sellercentral.amazon.com:8443/apps/authorize/callback',
    'https://evil.example/',
    'ftp://sellercentral.amazon.com/',
  ];

  it.each(TRICKS)('%s: no redirect off Amazon', async (trick) => {
    const answer = await get(login(trick));
    expectSafePage(answer, trick);
    const target = redirectTarget(answer);
    if (target) {
      // A relative trick may resolve to the Central origin itself; nothing else is acceptable.
      expect(target.origin, trick).toBe(central().origin);
    } else {
      expect(answer.status, trick).toBeGreaterThanOrEqual(400);
    }
  });

  it('the genuine cases still redirect: an absolute Seller Central address and a relative path (controls for the rows above)', async () => {
    const absolute = redirectTarget(await get(login('https://sellercentral.amazon.de/apps/authorize/callback')));
    expect(absolute?.origin).toBe('https://sellercentral.amazon.de');
    expect(absolute?.searchParams.get('amazon_state')).toBe('amz-state-1');
    expect(absolute?.searchParams.get('state')).toBeTruthy();
    const relative = redirectTarget(await get(login('/apps/authorize/callback')));
    expect(relative?.origin).toBe(central().origin);
  });

  it('a selling partner id this server does not serve gets the page asking for an invitation, not a redirect', async () => {
    const answer = await get(login('https://sellercentral.amazon.de/apps/authorize/callback', 'A3NOBODYKNOWN9'));
    expectSafePage(answer, 'unknown seller');
    expect(redirectTarget(answer)).toBeUndefined();
    expect(answer.body).toMatch(/invitation link/);
  });
});

describe('serve under siege', () => {
  it('a slowloris client (headers dripped one byte at a time) is cut off by a timeout, and a seller is served meanwhile', async () => {
    const slow = connect(port, '127.0.0.1');
    sockets.push(slow);
    slow.on('error', () => undefined);
    const closed = new Promise<void>((ok) => slow.on('close', () => ok()));
    slow.write(`GET ${path('/healthz')} HTTP/1.1\r\nHost: ${rig.host}\r\nX-Slow: `);
    const drip = setInterval(() => slow.writable && slow.write('a'), 500);
    try {
      const { link, profile } = await invitation('slowloris');
      const done = await sellerFlow(link);
      expect(done.status).toBe(303);
      expect(await rig.refreshToken(profile)).not.toBeNull();
      // serve's header timeout, not ours, ends it (vitest's 60 s would fail the test first).
      await closed;
    } finally {
      clearInterval(drip);
    }
  });

  it('a client that floods bad invitation links is limited (429), other clients are not, and a seller completes meanwhile', async () => {
    const attacker = '203.0.113.66';
    let limited = 0;
    let others = 0;
    for (let i = 0; i < 60 && limited === 0; i++) {
      const answer = await get(path(`/i/bogus${i}.AAAA`), { 'X-Forwarded-For': attacker });
      expectSafePage(answer, `attempt ${i}`);
      if (answer.status === 429) limited++;
      else others++;
    }
    expect(limited, `no 429 after ${others} bad invitation attempts from one client`).toBe(1);
    const again = await get(path('/i/bogus.AAAA'), { 'X-Forwarded-For': attacker });
    expect(again.status).toBe(429);
    expect(again.body).toMatch(/Too many attempts/);
    // Another client is not punished for it.
    const { link, profile } = await invitation('not-punished');
    const before = await rig.refreshToken(profile);
    const done = await sellerFlow(link, '192.0.2.99');
    expect(done.status).toBe(303);
    expect(await rig.refreshToken(profile)).not.toBe(before);
  });

  it('a flood of 2000 requests at 50 concurrent (healthz and bad links) leaves serve answering and a real flow completes during it', async () => {
    const { link, profile } = await invitation('flood');
    const before = await rig.refreshToken(profile);
    let sent = 0;
    const statuses: Record<number, number> = {};
    const worker = async (w: number) => {
      while (sent < 2000) {
        const i = sent++;
        const target = i % 2 ? path('/healthz') : path(`/i/flood${i}.AAAA`);
        const answer = await get(target, { 'X-Forwarded-For': `203.0.113.${w}` });
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
    };
    const flood = Promise.all(Array.from({ length: 50 }, (_, w) => worker(w)));
    const done = await sellerFlow(link, '192.0.2.200');
    await flood;
    expect(done.status).toBe(303);
    expect(await rig.refreshToken(profile)).not.toBe(before);
    expect(statuses[0] ?? 0, JSON.stringify(statuses)).toBe(0); // no dropped connection
    expect(Object.keys(statuses).filter((s) => Number(s) >= 500), JSON.stringify(statuses)).toEqual([]);
    expect((await get(path('/healthz'))).status).toBe(200);
  });

  it('logs no secret, code or state signature, whatever came in', () => {
    const log = rig.serve.stderr();
    expect(log).not.toMatch(/Atzr\||Atza\||spapi_oauth_code=|ANDxxxx/);
  });
});
