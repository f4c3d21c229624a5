// Small node:http helpers shared by the Amazon double and the static server:
// body reading, replies, query appending, and a server that can really close.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';

/** A listening loopback server whose close() also kills idle, keep-alive and hanging sockets. */
export interface ClosableServer {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

/** With `tls` (a PEM key and certificate) it speaks https, as Amazon's own hosts do. */
export async function listenLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { key: string; cert: string },
): Promise<ClosableServer> {
  const server: Server = tls ? createTlsServer(tls, handler) : createServer(handler);
  // Tracked by hand because closeAllConnections() skips sockets that are
  // mid-upgrade or not yet parsed; a test's close() must never hang.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  let closing: Promise<void> | undefined;
  return {
    server,
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Media type without parameters, lower-cased: `application/x-www-form-urlencoded;charset=UTF-8` -> `application/x-www-form-urlencoded`. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function formToRecord(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

/** A JSON object's string members (what an LWA request carries), or undefined for anything else. */
export function jsonToRecord(body: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendRaw(res, status, JSON.stringify(value), 'application/json;charset=UTF-8');
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendRaw(res, status, html, 'text/html;charset=UTF-8');
}

export function sendRaw(res: ServerResponse, status: number, body: string, type: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

/**
 * Appends parameters to a URI without re-serialising the query it already has
 * (URL.searchParams would rewrite `%20` as `+` and so change a registered URI).
 */
export function appendQuery(uri: string, params: Record<string, string>): string {
  const hash = uri.indexOf('#');
  const base = hash === -1 ? uri : uri.slice(0, hash);
  const fragment = hash === -1 ? '' : uri.slice(hash);
  const query = new URLSearchParams(params).toString();
  const joiner = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${joiner}${query}${fragment}`;
}
