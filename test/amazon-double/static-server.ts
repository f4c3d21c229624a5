// A loopback static file server standing in for the operator's https host
// (e.g. the relay page registered as Redirect and Login URI).
import { listenLoopback, sendRaw } from './http.js';

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** `files` is keyed by path (`/relay.html`); the query string is ignored, as on a real static host. */
export async function startStaticServer(files: Record<string, { body: string; type: string }>): Promise<StaticServer> {
  const server = await listenLoopback((req, res) => {
    const path = new URL(req.url ?? '/', 'http://static.invalid').pathname;
    const file = Object.hasOwn(files, path) ? files[path] : undefined;
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return sendRaw(res, 404, 'Not Found', 'text/plain;charset=UTF-8');
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': file.type, 'content-length': Buffer.byteLength(file.body) });
      return res.end();
    }
    sendRaw(res, 200, file.body, file.type);
  });
  return { origin: server.origin, close: server.close };
}
