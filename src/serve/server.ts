// serve's HTTP server: the mechanics shared with the loopback callback server
// (security headers on every answer, bounded headers and address, timeouts, no
// stack trace), plus what a public endpoint needs: routes under the base URL's
// path, a per-client attempt limit, the Login URI cookie, and a graceful stop.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommandContext } from '../context.js';
import { loadConfig } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import { parseCallbackQuery } from '../flow/callback-query.js';
import { listen, redirect, send } from '../flow/loopback-http.js';
import { UsageError, AmzTokenError } from '../errors.js';
import type { BaseUrl } from './base-url.js';
import { chooseLanguage, render, type Page } from './pages.js';
import { afterExchange, callback, COOKIE_NAME, COOKIE_SECONDS, landing, login, type Answer, type Setup } from './routes.js';
import { callbackTurns } from './callback-turns.js';
import { awayFromCode, result } from './results.js';
import { complete } from './complete.js';
import { attemptLimit } from './rate-limit.js';
import { clientOf, limitConnectionsPerPeer, unmapped, type TrustedProxies } from './proxies.js';
import type { Log } from './log.js';
import type { Signer } from './signing.js';

export interface ServeOptions {
  host: string;
  port: number;
  base: BaseUrl;
  signer: Signer;
  log: Log;
  /** Peers whose X-Forwarded-For is believed, and who are spared the per-peer limits. */
  trusted: TrustedProxies;
}

export interface RunningServe {
  /** host:port actually bound (port 0 picks a free one). */
  address: string;
  /** Stops accepting, lets requests under way finish within a bound, then closes. */
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 10_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_URL_LENGTH = 8 * 1024;
const MAX_CONNECTIONS = 2_048;
/** Open connections per peer that is not a trusted proxy: a browser opens six at most. */
const CONNECTIONS_PER_PEER = 32;
/** Requests per minute per peer that is not a trusted proxy, on any route (healthz included). */
const REQUESTS_PER_PEER = 300;
const REQUEST_WINDOW_MS = 60_000;
/**
 * A connection with no traffic either way for this long is closed: a backstop behind the header
 * and keep-alive timeouts, above a callback's worst case (its deadline, then its two writes).
 */
const IDLE_TIMEOUT_MS = 60_000;
/** Attempts per client on /i/, /login and /callback: a seller needs three or four. */
const ATTEMPTS = 30;
const ATTEMPT_WINDOW_MS = 10 * 60_000;
/**
 * One callback's exchange (with retries) and identity calls end by this deadline; past it the
 * seller reads "try again" and nothing is stored. With the two writes after it, a callback stays
 * well under the 60 s read timeout of contrib/'s nginx and Caddy.
 */
export const CALLBACK_DEADLINE_MS = 20_000;
/** How long a stop waits for requests under way: a callback's deadline plus its two writes. */
const STOP_GRACE_MS = CALLBACK_DEADLINE_MS + 15_000;
const HEALTH_CACHE_MS = 2_000;
/** The status line for what Node's parser refuses before a route runs (Node's own defaults). */
const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export async function startServe(ctx: CommandContext, opts: ServeOptions): Promise<RunningServe> {
  const { deps } = ctx;
  const { base, signer, log, trusted } = opts;
  const limit = attemptLimit({ attempts: ATTEMPTS, windowMs: ATTEMPT_WINDOW_MS });
  const peerRequests = attemptLimit({ attempts: REQUESTS_PER_PEER, windowMs: REQUEST_WINDOW_MS });
  let warnedNoForwardedFor = false;
  const turns = callbackTurns(base.path, deps.now);
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let health: { ok: boolean; until: number } | undefined;

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    (req, res) => {
      inFlight += 1;
      const language = chooseLanguage(header(req, 'accept-language'));
      route(req, res, (answer) => answerWith(res, answer, language))
        .catch((error: unknown) => {
          log('error', { reason: error instanceof AmzTokenError ? error.message : `internal error${(error as NodeJS.ErrnoException)?.code ? ` (${(error as NodeJS.ErrnoException).code})` : ''}` });
          if (!res.headersSent) send(res, 500, render({ name: 'internal' }, language));
          else res.destroy();
        })
        .finally(() => {
          inFlight -= 1;
          if (inFlight === 0) drained?.();
        });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.timeout = IDLE_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  // One peer cannot hold the connections every other peer needs; trusted proxies carry many clients.
  limitConnectionsPerPeer(server, trusted, CONNECTIONS_PER_PEER);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Oversized headers, garbage, a timeout: a bare status line without a body, and the socket
    // goes. end() alone would only half-close it (http servers allow half-open sockets): a
    // slowloris client that keeps sending would then hold its connection forever.
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
    else socket.destroy();
  });

  function answerWith(res: ServerResponse, answer: Answer, language: 'en' | 'de'): void {
    if (answer.log) log(answer.log.event, answer.log.fields);
    const headers: Record<string, string> = {};
    if (answer.cookie !== undefined) headers['Set-Cookie'] = cookieHeader(answer.cookie, base);
    if (answer.location !== undefined) redirect(res, answer.status as 302 | 303, answer.location, headers);
    else send(res, answer.status, render(answer.page ?? { name: 'internal' }, language), headers);
  }

  async function route(req: IncomingMessage, res: ServerResponse, answer: (a: Answer) => void): Promise<void> {
    const target = req.url ?? '';
    const page = (status: number, p: Page): void => answer({ status, page: p });
    if (target.length > MAX_URL_LENGTH) return page(414, { name: 'bad-request' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return page(405, { name: 'bad-request' });
    }
    // Split by hand: new URL('//evil.example/x', base) would read a host out of the path.
    const queryStart = target.indexOf('?');
    const pathname = queryStart === -1 ? target : target.slice(0, queryStart);
    const search = queryStart === -1 ? '' : target.slice(queryStart + 1);
    const peer = unmapped(req.socket.remoteAddress ?? 'unknown');
    if (!trusted.has(peer) && !peerRequests.allow(peer, deps.now().getTime())) {
      res.setHeader('Retry-After', String(REQUEST_WINDOW_MS / 1000));
      return answer({ status: 429, page: { name: 'too-many' }, log: { event: 'rate-limited', fields: { route: 'any', reason: 'requests per peer' } } });
    }
    if (!pathname.startsWith(`${base.path}/`)) return page(404, { name: 'not-found' });
    const rest = pathname.slice(base.path.length + 1);
    if (rest === 'healthz') return healthz(res);
    // The callback's code and state never reach a log line, and its answer is a 303 whatever happens.
    if (rest === 'done') return page(200, { name: 'done' });
    if (rest.startsWith('result/')) return answer(result(rest.slice('result/'.length), new URLSearchParams(search)));
    const invitation = /^i\/([A-Za-z0-9_.-]{1,1024})$/.exec(rest);
    if (!invitation && rest !== 'login' && rest !== 'callback') return page(404, { name: 'not-found' });

    const client = clientOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
    if (trusted.has(peer) && req.headers['x-forwarded-for'] === undefined && !warnedNoForwardedFor) {
      warnedNoForwardedFor = true;
      log('warning', { message: `a request from the trusted proxy ${peer} came without X-Forwarded-For: all such requests share one attempt limit; make the proxy set X-Forwarded-For` });
    }
    if (!limit.allow(client, deps.now().getTime())) {
      log('rate-limited', { route: invitation ? 'invitation' : rest });
      res.setHeader('Retry-After', String(ATTEMPT_WINDOW_MS / 1000));
      return page(429, { name: 'too-many' });
    }
    let config;
    try {
      config = await loadConfig(deps.configDir, (line) => ctx.out.warn(line));
    } catch (error) {
      return answer({ status: 503, page: { name: 'try-again' }, log: { event: 'config-unreadable', fields: { reason: (error as Error).message } } });
    }
    const setup: Setup = {
      base,
      signer,
      centralOverride: deps.env.AMZ_TOKEN_CENTRAL_URL,
      now: deps.now(),
      nonce: deps.randomBytes(12).toString('base64url'),
      browserSecret: deps.randomBytes(24).toString('base64url'),
    };
    if (invitation) return answer(landing(invitation[1]!, config, setup));
    const query = parseCallbackQuery(new URLSearchParams(search));
    if (rest === 'login') return answer(login(query, cookieOf(header(req, 'cookie')), config, setup));

    const decision = callback(query, cookieOf(header(req, 'cookie')), config, setup);
    if ('answer' in decision) return answer(awayFromCode(decision.answer, base));
    const exchange = decision.proceed;
    // The deadline counts from the seller's request: waiting for a twin's turn is part of it.
    const deadline = AbortSignal.timeout(CALLBACK_DEADLINE_MS);
    answer(await turns.take(exchange, async () => awayFromCode(afterExchange(exchange, await complete(ctx, exchange, base, deadline), base), base)));
  }

  /** 200 while config.json and the secret store can be read; cached briefly, so a flood of probes does not reach the keychain. */
  async function healthz(res: ServerResponse): Promise<void> {
    const nowMs = deps.now().getTime();
    if (!health || health.until <= nowMs) {
      let ok = true;
      try {
        await loadConfig(deps.configDir, (line) => ctx.out.warn(line));
        await (await deps.secretStore()).get(accounts.servingKey());
      } catch (error) {
        ok = false;
        log('unhealthy', { reason: error instanceof AmzTokenError ? error.message : 'the secret store cannot be read' });
      }
      health = { ok, until: nowMs + HEALTH_CACHE_MS };
    }
    send(res, health.ok ? 200 : 503, health.ok ? 'ok\n' : 'unavailable\n', { 'Content-Type': 'text/plain; charset=utf-8' });
  }

  try {
    await listen(server, opts.port, 'choose another with --listen HOST:PORT', opts.host);
  } catch (error) {
    throw new UsageError((error as Error).message, (error as AmzTokenError).hint);
  }
  const bound = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, STOP_GRACE_MS);
            drained = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Our cookie's value from a Cookie header; the first one wins. */
export function cookieOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE_NAME) return value.join('=');
  }
  return undefined;
}

function cookieHeader(value: string | null, base: BaseUrl): string {
  const attributes = `Path=${base.path || '/'}; HttpOnly; Secure; SameSite=Lax`;
  return value === null ? `${COOKIE_NAME}=; Max-Age=0; ${attributes}` : `${COOKIE_NAME}=${value}; Max-Age=${COOKIE_SECONDS}; ${attributes}`;
}
