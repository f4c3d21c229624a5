// The loopback HTTP server that receives Amazon's redirect (directly, or through
// the relay page), and the paste-back path that races it. The first valid code is
// the one to try; a pasted one that LWA rejects is set aside and the wait goes on.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { FlowError, UsageError } from '../errors.js';
import { parseCallbackQuery } from './callback-query.js';
import { judgePaste, judgeQuery, type CallbackResult, type Expectation, type Verdict } from './callback-verdict.js';
import { browserAnswer, setAsideAnswer, terminalAnswer, type TerminalAnswer } from './callback-answers.js';
import { notFoundPage, plainErrorPage, successPage } from './pages.js';
import { isLoopbackHost, isValidCallbackPath, listen, redirect, send } from './loopback-http.js';
import { receivedCodes } from './received-codes.js';

export type { CallbackResult } from './callback-verdict.js';

export interface CallbackServerOptions {
  host: '127.0.0.1';
  port: number;
  path: string;
  expectedState: string | ((port: number) => string);
  centralOrigin: string;
  draft: boolean;
  /** renew without --force: only codes that name their selling partner (no bare pastes). */
  sellerMustBeNamed?: boolean;
  log: (line: string) => void;
  /** The hint when the port cannot be had: how to get the server onto another one. */
  anotherPort?: string;
}

export interface CallbackServer {
  port: number;
  url: string;
  state: string;
  /**
   * The code to try: the first valid one received and not set aside (the same one
   * however often asked). Rejects with FlowError only if close() comes first.
   */
  code(): Promise<CallbackResult>;
  submitPasted(input: string): TerminalAnswer;
  /** LWA rejected `tried`, a pasted code: drop it, so that code() waits for the next one. `detail`: LWA's error. */
  setAside(tried: CallbackResult, detail: string): TerminalAnswer;
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 10_000;
// Node checks headersTimeout/requestTimeout only this often (default 30 s).
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_URL_LENGTH = 8 * 1024;
// A browser makes a handful of requests; a flood beyond this is refused by the OS queue.
const MAX_CONNECTIONS = 128;
// close(): how long to wait for the browser to follow the 303 to the done page,
// then for responses still being written. Together they stay under a second.
const DONE_PAGE_GRACE_MS = 700;
const IN_FLIGHT_GRACE_MS = 200;
const MAX_LOGGED_REQUESTS = 20;

export async function startCallbackServer(opts: CallbackServerOptions): Promise<CallbackServer> {
  validateOptions(opts);
  const donePath = opts.path.endsWith('/') ? `${opts.path}done` : `${opts.path}/done`;
  // What every verdict is judged against; `received` and `closed` change as the flow goes on.
  const expected: Expectation = { state: '', central: new URL(opts.centralOrigin), draft: opts.draft, ...(opts.sellerMustBeNamed ? { sellerMustBeNamed: true } : {}) };
  let port = opts.port;
  let closing: Promise<void> | undefined;
  const donePage = signal();
  const codes = receivedCodes();
  const strayRequests = rateLimitedLog(opts.log);

  /** Acts on a verdict that lets a code in: the queue's first is the one to try. */
  const settle = (verdict: Verdict): void => {
    if (verdict.kind !== 'accepted') return;
    expected.received = verdict.result;
    codes.add(verdict.result);
  };

  const sockets = new Set<Socket>();
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: REQUEST_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    (req, res) => {
      try {
        route(req, res);
      } catch {
        strayRequests('an internal error occurred while answering a browser request');
        if (!res.headersSent) send(res, 500, plainErrorPage('Internal error', 'amz-token could not answer this request.'));
        else res.destroy();
      }
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  /** Everything about a request that is not the callback's content: Host, size, method, path. */
  function route(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host;
    if (host === undefined || host === '') {
      send(res, 400, plainErrorPage('Bad request', 'The request has no Host header.'));
      return;
    }
    if (!isLoopbackHost(host, port)) {
      // DNS rebinding: a web page on some-domain resolving to 127.0.0.1 must not reach us.
      strayRequests('rejected a request addressed to a host name other than 127.0.0.1 or localhost');
      send(res, 421, plainErrorPage('Misdirected request', 'This server only answers requests addressed to 127.0.0.1 or localhost.'));
      return;
    }
    const target = req.url ?? '';
    if (target.length > MAX_URL_LENGTH) {
      strayRequests('ignored a request with an overlong address');
      send(res, 414, plainErrorPage('Address too long', 'This address is longer than any authorization callback.'));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, plainErrorPage('Method not allowed', 'Only GET and HEAD are answered here.'), { Allow: 'GET, HEAD' });
      return;
    }
    // Split by hand: new URL('//evil.example/x', base) would read a host out of the path.
    const queryStart = target.indexOf('?');
    const pathname = queryStart === -1 ? target : target.slice(0, queryStart);
    const search = queryStart === -1 ? '' : target.slice(queryStart + 1);
    if (pathname === donePath) {
      res.once('close', donePage.fire);
      send(res, 200, successPage());
      return;
    }
    if (pathname !== opts.path) {
      send(res, 404, notFoundPage());
      return;
    }
    const verdict = judgeQuery(parseCallbackQuery(new URLSearchParams(search)), 'callback', expected);
    settle(verdict);
    const answer = browserAnswer(verdict, donePath);
    if (answer.stray) strayRequests(answer.stray);
    if (answer.log) safeLog(opts.log, answer.log);
    if ('location' in answer) redirect(res, answer.status, answer.location);
    else send(res, answer.status, answer.page);
  }

  async function shutDown(): Promise<void> {
    expected.closed = true;
    codes.close(new FlowError('amz-token stopped waiting before Amazon sent an authorization code'));
    // The 303 has gone out but the browser may not have fetched the done page yet.
    if (expected.received?.via === 'callback' && !donePage.fired) await within(donePage.promise, DONE_PAGE_GRACE_MS);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await within(closed, IN_FLIGHT_GRACE_MS);
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await listen(server, opts.port, opts.anotherPort ?? 'pick another port');
  port = (server.address() as AddressInfo).port;
  try {
    expected.state = typeof opts.expectedState === 'function' ? opts.expectedState(port) : opts.expectedState;
    if (typeof expected.state !== 'string' || expected.state === '') throw new UsageError('the expected state must be a non-empty string');
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  server.on('error', (error: NodeJS.ErrnoException) => {
    safeLog(opts.log, `the callback server reported an error: ${error.code ?? error.message}`);
  });

  return {
    port,
    url: `http://127.0.0.1:${port}${opts.path}`,
    state: expected.state,
    code: () => codes.first(),
    submitPasted(input) {
      const verdict = judgePaste(input, expected);
      settle(verdict);
      return terminalAnswer(verdict);
    },
    setAside(tried, detail) {
      codes.remove(tried);
      // Whatever is left (a callback that came in behind the paste, or nothing) is what later input is judged against.
      const latest = codes.last();
      if (latest) expected.received = latest;
      else delete expected.received;
      return setAsideAnswer(detail);
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** Something that happens once (the done page was served), to await or to ask about. */
function signal(): { promise: Promise<void>; fire(): void; readonly fired: boolean } {
  let fired = false;
  let fire: () => void = () => {};
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return {
    promise,
    fire: () => {
      fired = true;
      fire();
    },
    get fired() {
      return fired;
    },
  };
}

/** One line per stray request is useful; a flood must not bury the terminal. */
function rateLimitedLog(log: (line: string) => void): (line: string) => void {
  let logged = 0;
  return (line) => {
    logged += 1;
    if (logged <= MAX_LOGGED_REQUESTS) safeLog(log, line);
    else if (logged === MAX_LOGGED_REQUESTS + 1) safeLog(log, 'many stray requests: no longer reporting each one');
  };
}

function validateOptions(opts: CallbackServerOptions): void {
  if (opts.host !== '127.0.0.1') throw new UsageError('the callback server listens on 127.0.0.1 only');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new UsageError(`port must be a whole number from 0 to 65535, got ${String(opts.port)}`);
  }
  if (!isValidCallbackPath(opts.path)) {
    throw new UsageError(`the callback path must start with "/" and hold only letters, digits and . _ ~ - /, got ${JSON.stringify(opts.path)}`);
  }
  if (!URL.canParse(opts.centralOrigin) || !/^https?:$/.test(new URL(opts.centralOrigin).protocol)) {
    throw new UsageError(`the Seller Central address must be an http(s) URL, got ${JSON.stringify(opts.centralOrigin)}`);
  }
}

function safeLog(log: (line: string) => void, line: string): void {
  try {
    log(line);
  } catch {
    // The terminal line is a courtesy; a failing logger must not break the flow.
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
