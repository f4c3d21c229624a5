// The HTTP mechanics of the strict loopback callback server: listening on
// 127.0.0.1 with errors an operator can act on, the Host check against DNS
// rebinding, and answers that carry the security headers and nothing cacheable.

import type { Server, ServerResponse } from 'node:http';
import { FlowError } from '../errors.js';

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;

/** `elsewhere`: how the operator gets the server onto another port (it depends on the redirect URI). `host`: serve's --listen. */
export function listen(server: Server, port: number, elsewhere: string, host = '127.0.0.1'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(listenError(error, port, elsewhere, host));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function listenError(error: NodeJS.ErrnoException, port: number, elsewhere: string, host: string): FlowError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new FlowError(`port ${port} on ${host} is already in use`, `free it, or ${elsewhere}`);
    case 'EACCES':
      return new FlowError(`no permission to listen on port ${port} on ${host} (ports below 1024 need root)`, elsewhere);
    default:
      return new FlowError(`cannot listen on port ${port} on ${host}: ${error.code ?? error.message}`, elsewhere);
  }
}

/** A path safe to compare raw and to embed in the relay page's script. */
export function isValidCallbackPath(path: string): boolean {
  return /^\/[A-Za-z0-9._~/-]*$/.test(path) && !path.includes('//');
}

export function isLoopbackHost(host: string, port: number): boolean {
  const name = host.toLowerCase();
  const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];
  // Browsers omit the default port from Host.
  return loopbackNames.some((loopback) => name === `${loopback}:${port}` || (port === 80 && name === loopback));
}

export function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    ...headers,
  });
  res.end(body);
}

export function redirect(res: ServerResponse, status: 302 | 303, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, Location: location, 'Content-Length': '0', ...headers });
  res.end();
}
