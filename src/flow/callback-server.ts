// The loopback HTTP server that receives Amazon's redirect (directly, or through
// the relay page), and the paste-back path that races it. First valid code wins.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { FlowError, UsageError } from '../errors.js';
import { parseCallbackQuery, parsePasted, type CallbackQuery } from './callback-query.js';
import { errorPage, notFoundPage, plainErrorPage, successPage } from './pages.js';
import { statesEqual } from './state.js';

export interface CallbackResult {
  code: string;
  sellingPartnerId?: string;
  via: 'callback' | 'paste';
}

export interface CallbackServerOptions {
  host: '127.0.0.1';
  port: number;
  path: string;
  expectedState: string | ((port: number) => string);
  centralOrigin: string;
  draft: boolean;
  log: (line: string) => void;
}

export interface CallbackServer {
  port: number;
  url: string;
  state: string;
  /** Resolves on the first valid code; rejects with FlowError only if close() comes first. */
  result: Promise<CallbackResult>;
  submitPasted(input: string): { accepted: boolean; message: string };
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
// One line per stray request is useful; a flood must not bury the terminal.
const MAX_LOGGED_REQUESTS = 20;

/** A path safe to compare raw and to embed in the relay page's script. */
export function isValidCallbackPath(path: string): boolean {
  return /^\/[A-Za-z0-9._~/-]*$/.test(path) && !path.includes('//');
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;

export async function startCallbackServer(opts: CallbackServerOptions): Promise<CallbackServer> {
  validateOptions(opts);
  const central = new URL(opts.centralOrigin);
  const donePath = opts.path.endsWith('/') ? `${opts.path}done` : `${opts.path}/done`;

  let port = opts.port;
  let state = '';
  let won: CallbackResult | undefined;
  let closing: Promise<void> | undefined;
  let donePageServed = false;
  let announceDonePage: () => void = () => {};
  const donePage = new Promise<void>((resolve) => {
    announceDonePage = () => {
      donePageServed = true;
      resolve();
    };
  });

  let resolveResult: (result: CallbackResult) => void = () => {};
  let rejectResult: (error: Error) => void = () => {};
  const result = new Promise<CallbackResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // The CLI may close without awaiting result (timeout, Ctrl-C): that is no crash.
  result.catch(() => {});

  let loggedRequests = 0;
  const note = (line: string): void => {
    loggedRequests += 1;
    if (loggedRequests <= MAX_LOGGED_REQUESTS) safeLog(opts.log, line);
    else if (loggedRequests === MAX_LOGGED_REQUESTS + 1) safeLog(opts.log, 'many stray requests: no longer reporting each one');
  };

  const win = (outcome: CallbackResult): void => {
    won = outcome;
    resolveResult(outcome);
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
        note('an internal error occurred while answering a browser request');
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

  function route(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host;
    if (host === undefined || host === '') {
      send(res, 400, plainErrorPage('Bad request', 'The request has no Host header.'));
      return;
    }
    if (!isLoopbackHost(host, port)) {
      // DNS rebinding: a web page on some-domain resolving to 127.0.0.1 must not reach us.
      note('rejected a request addressed to a host name other than 127.0.0.1 or localhost');
      send(res, 421, plainErrorPage('Misdirected request', 'This server only answers requests addressed to 127.0.0.1 or localhost.'));
      return;
    }
    const target = req.url ?? '';
    if (target.length > MAX_URL_LENGTH) {
      note('ignored a request with an overlong address');
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
      res.once('close', announceDonePage);
      send(res, 200, successPage());
      return;
    }
    if (pathname !== opts.path) {
      send(res, 404, notFoundPage());
      return;
    }
    answerCallback(parseCallbackQuery(new URLSearchParams(search)), res);
  }

  function answerCallback(query: CallbackQuery, res: ServerResponse): void {
    if (won !== undefined) {
      // A reload of the winning callback (or the browser retrying it) still lands on "done".
      if (query.kind === 'code' && won.via === 'callback' && statesEqual(query.state, state) && statesEqual(query.code, won.code)) {
        redirect(res, 303, donePath);
        return;
      }
      note('ignored a callback that arrived after the authorization was received');
      send(res, 409, plainErrorPage('Already received', 'amz-token has already received an authorization and ignored this one. You can close this tab.'));
      return;
    }
    switch (query.kind) {
      case 'error':
        note(`ignored a callback: ${query.reason}`);
        send(res, 400, errorPage(sentence(query.reason)));
        return;
      case 'login': {
        const next = loginRedirect(query, central, state, opts.draft);
        if (!next.ok) {
          note(`ignored a Login URI request: ${next.reason}`);
          send(res, 400, errorPage(sentence(next.reason)));
          return;
        }
        safeLog(opts.log, 'Amazon asked for the Login URI step; sent the browser back to Amazon');
        redirect(res, 302, next.url);
        return;
      }
      case 'code':
        if (!statesEqual(query.state, state)) {
          note('ignored a callback with the wrong state');
          send(res, 400, errorPage('This address belongs to another authorization attempt: its state does not match the one amz-token is waiting for.'));
          return;
        }
        win({ code: query.code, ...(query.sellingPartnerId === undefined ? {} : { sellingPartnerId: query.sellingPartnerId }), via: 'callback' });
        // 303 to a clean address: the one-time code leaves the address bar and history.
        redirect(res, 303, donePath);
        return;
    }
  }

  function submitPasted(input: string): { accepted: boolean; message: string } {
    if (won !== undefined) return { accepted: false, message: 'an authorization code was already received; ignoring this input' };
    if (closing !== undefined) return { accepted: false, message: 'amz-token is no longer waiting for a code' };
    const pasted = parsePasted(input);
    switch (pasted.kind) {
      case 'empty':
        return { accepted: false, message: 'nothing was pasted: paste the full address from the browser, or the code' };
      case 'invalid':
        return { accepted: false, message: pasted.reason };
      case 'code':
        win({ code: pasted.code, via: 'paste' });
        return { accepted: true, message: 'accepted the pasted authorization code' };
      case 'url':
        break;
    }
    const query = pasted.query;
    switch (query.kind) {
      case 'error':
        return { accepted: false, message: `that address cannot be used: ${query.reason}` };
      case 'login': {
        const next = loginRedirect(query, central, state, opts.draft);
        if (!next.ok) return { accepted: false, message: `that address cannot be used: ${next.reason}` };
        return {
          accepted: false,
          message: `that is Amazon's Login URI step, not the final address; open this address in the browser to continue: ${next.url}`,
        };
      }
      case 'code':
        if (!statesEqual(query.state, state)) {
          return { accepted: false, message: 'that address belongs to another authorization attempt (its state does not match); paste the address from this one' };
        }
        win({ code: query.code, ...(query.sellingPartnerId === undefined ? {} : { sellingPartnerId: query.sellingPartnerId }), via: 'paste' });
        return { accepted: true, message: 'accepted the pasted address' };
    }
  }

  async function shutDown(): Promise<void> {
    if (won === undefined) rejectResult(new FlowError('amz-token stopped waiting before Amazon sent an authorization code'));
    // The 303 has gone out but the browser may not have fetched the done page yet.
    if (won?.via === 'callback' && !donePageServed) await within(donePage, DONE_PAGE_GRACE_MS);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await within(closed, IN_FLIGHT_GRACE_MS);
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await listen(server, opts.port);
  port = (server.address() as AddressInfo).port;
  try {
    state = typeof opts.expectedState === 'function' ? opts.expectedState(port) : opts.expectedState;
    if (typeof state !== 'string' || state === '') throw new UsageError('the expected state must be a non-empty string');
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
    state,
    result,
    submitPasted,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

function validateOptions(opts: CallbackServerOptions): void {
  if (opts.host !== '127.0.0.1') throw new UsageError('the callback server listens on 127.0.0.1 only');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new UsageError(`port must be a whole number from 0 to 65535, got ${String(opts.port)}`, 'pick another with --port');
  }
  if (!isValidCallbackPath(opts.path)) {
    throw new UsageError(`the callback path must start with "/" and hold only letters, digits and . _ ~ - /, got ${JSON.stringify(opts.path)}`);
  }
  if (!URL.canParse(opts.centralOrigin) || !/^https?:$/.test(new URL(opts.centralOrigin).protocol)) {
    throw new UsageError(`the Seller Central address must be an http(s) URL, got ${JSON.stringify(opts.centralOrigin)}`);
  }
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(listenError(error, port));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: '127.0.0.1', port, exclusive: true });
  });
}

function listenError(error: NodeJS.ErrnoException, port: number): FlowError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new FlowError(`port ${port} on 127.0.0.1 is already in use`, 'free it or pick another with --port');
    case 'EACCES':
      return new FlowError(`no permission to listen on port ${port} on 127.0.0.1`, 'pick a port above 1023 with --port');
    default:
      return new FlowError(`cannot listen on port ${port} on 127.0.0.1: ${error.code ?? error.message}`, 'pick another with --port');
  }
}

function isLoopbackHost(host: string, port: number): boolean {
  const name = host.toLowerCase();
  const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];
  // Browsers omit the default port from Host.
  return loopbackNames.some((loopback) => name === `${loopback}:${port}` || (port === 80 && name === loopback));
}

/** sellercentral.amazon.de, vendorcentral.amazon.me, vendorcentral.in, sellercentral-europe.amazon.com, ... */
function isAmazonHost(hostname: string): boolean {
  const tld = '(com|ca|com\\.mx|com\\.br|co\\.uk|de|fr|it|es|nl|se|pl|com\\.tr|ae|sa|eg|in|com\\.be|ie|co\\.za|sg|com\\.sg|com\\.au|co\\.jp|me)';
  return new RegExp(`^(sellercentral|vendorcentral)(-europe)?\\.amazon\\.${tld}$`).test(hostname) || hostname === 'vendorcentral.in';
}

type LoginRedirect = { ok: true; url: string } | { ok: false; reason: string };

/** Where the Login URI detour continues: amazon_callback_uri plus amazon_state, our state and, for drafts, version=beta. */
function loginRedirect(
  query: { amazonCallbackUri: string; amazonState: string; version?: string },
  central: URL,
  state: string,
  draft: boolean,
): LoginRedirect {
  if (!URL.canParse(query.amazonCallbackUri, central)) return { ok: false, reason: 'the amazon_callback_uri is not a valid address' };
  const target = new URL(query.amazonCallbackUri, central);
  // Anything but https (javascript:, data:, plain http elsewhere) could run script or leak the state.
  // Only Amazon's own hosts may receive our state: a detour to any other
  // https site would hand it the state, and with it a forged callback.
  const onCentral = target.origin === central.origin;
  if (!onCentral && !(target.protocol === 'https:' && isAmazonHost(target.hostname))) {
    return { ok: false, reason: 'the amazon_callback_uri is not on an Amazon Seller or Vendor Central host' };
  }
  if (target.username !== '' || target.password !== '') return { ok: false, reason: 'the amazon_callback_uri carries a user name or password' };
  target.hash = '';
  target.searchParams.set('amazon_state', query.amazonState);
  target.searchParams.set('state', state);
  // Amazon marks a draft app's detour with version=beta itself; echo it even if --draft was forgotten.
  if (draft || query.version === 'beta') target.searchParams.set('version', 'beta');
  return { ok: true, url: target.href };
}

function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    ...headers,
  });
  res.end(body);
}

function redirect(res: ServerResponse, status: 302 | 303, location: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, Location: location, 'Content-Length': '0' });
  res.end();
}

function sentence(reason: string): string {
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
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
