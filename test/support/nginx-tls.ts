// Debian's nginx as the TLS reverse proxy in front of `amz-token serve`, the way an operator
// deploys it: a throwaway CA and a certificate for a made-up host, and the shipped
// contrib/nginx/amz-token-serve.conf rendered with this run's host, port, path and certificate,
// so that the snippet cannot rot. Also the Chromium launch that reaches the made-up host and
// trusts the throwaway CA.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './flow.js';

export const NGINX_SNIPPET = resolve(import.meta.dirname, '../../contrib/nginx/amz-token-serve.conf');

export interface TlsHost {
  /** The made-up host name, e.g. auth-1a2b3c.amz-token.test. */
  host: string;
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** base64 SHA-256 of the server certificate's public key, for --ignore-certificate-errors-spki-list. */
  spki: string;
}

/** A throwaway CA and a server certificate for `host` signed by it (openssl CLI, 2 days unless `days`). */
export function makeTlsHost(host: string, dir = mkdtempSync(join(tmpdir(), 'amz-token-tls-')), days = 2): TlsHost {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', String(days), '-subj', '/CN=amz-token serve test CA (throwaway)',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${host}`);
  writeFileSync(file('server.ext'), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', String(days), '-extfile', file('server.ext'), '-out', file('server.pem'));
  // nginx presents the chain; Chromium checks the leaf's key against the SPKI list.
  writeFileSync(file('chain.pem'), readFileSync(file('server.pem'), 'utf8') + readFileSync(file('ca.pem'), 'utf8'));
  const leaf = new X509Certificate(readFileSync(file('server.pem')));
  const spki = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { host, dir, caFile: file('ca.pem'), certFile: file('chain.pem'), keyFile: file('server.key'), spki };
}

/**
 * The shipped snippet with this run's values put in. Each placeholder must be found, so a
 * change to the snippet that the test no longer exercises fails here rather than passing quietly.
 */
export function renderNginxSnippet(values: { host: string; port: number; pathPrefix: string; upstreamPort: number; certFile: string; keyFile: string; rate?: string }): string {
  let text = readFileSync(NGINX_SNIPPET, 'utf8');
  const replace = (from: string | RegExp, to: string) => {
    const found = typeof from === 'string' ? text.includes(from) : from.test(text);
    text = text.replace(from, to);
    if (!found) throw new Error(`contrib/nginx/amz-token-serve.conf no longer contains ${String(from)}`);
  };
  replace('listen 443 ssl;', `listen 127.0.0.1:${values.port} ssl;`);
  replace(/server_name auth\.example\.com;/g, `server_name ${values.host};`);
  replace('/etc/letsencrypt/live/auth.example.com/fullchain.pem', values.certFile);
  replace('/etc/letsencrypt/live/auth.example.com/privkey.pem', values.keyFile);
  replace('location /amz-token/ {', `location ${values.pathPrefix} {`);
  replace('proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${values.upstreamPort};`);
  if (values.rate) replace('rate=30r/m', `rate=${values.rate}`);
  return text;
}

export interface NginxProxy {
  host: string;
  port: number;
  /** https://HOST/PATH (no trailing slash), the base URL serve is given. */
  baseUrl: string;
  /** https://127.0.0.1:PORT, for Node clients that send `Host` themselves. */
  origin: string;
  tls: TlsHost;
  dir: string;
  /** nginx's error log so far (for failure messages). */
  errorLog(): string;
  accessLog(): string;
  /** Chromium flags that send HOST to this nginx and trust its certificate. */
  chromiumArgs: string[];
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The base URL's path, default /amz-token (no trailing slash). */
  path?: string;
  upstreamPort: number;
  /** The made-up host name (default: a fresh one); see madeUpHost(). */
  host?: string;
  /** Overrides the snippet's request rate (e.g. '6000r/m' for a test that makes many requests). */
  rate?: string;
  /** How long the server certificate lives (default 2 days; doctor warns below 14). */
  days?: number;
}

/** A host name of our own under .test (RFC 2606), unique per call, that only --host-resolver-rules resolves. */
export function madeUpHost(): string {
  return `auth-${Math.random().toString(36).slice(2, 8)}.amz-token.test`;
}

/** `nginx -t` on a config folder; returns nginx's output, throws when the test fails. */
export function nginxTest(dir: string): string {
  return execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes nginx.conf (includes the rendered snippet) into `dir`, with pid, logs and temp paths inside it. */
export function writeNginxConfig(dir: string, snippet: string): void {
  for (const sub of ['logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'amz-token-serve.conf'), snippet);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, 'tmp', kind)};`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      // As root (CI containers), workers would switch to nobody and could not reach the 0700 temp folder.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'logs', 'error.log')} info;`,
      'events { worker_connections 512; }',
      'http {',
      `  access_log ${join(dir, 'logs', 'access.log')};`,
      temp,
      `  include ${join(dir, 'amz-token-serve.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
}

async function waitForPort(port: number, child: ChildProcess, errorLog: () => string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${errorLog()}`);
    const open = await new Promise<boolean>((ok) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), ok(true)));
      socket.once('error', () => ok(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}: ${errorLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts nginx with TLS on a free loopback port, proxying PATH/ to 127.0.0.1:upstreamPort. */
export async function startNginx(options: NginxOptions): Promise<NginxProxy> {
  const path = options.path ?? '/amz-token';
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-nginx-'));
  const host = options.host ?? madeUpHost();
  const tls = makeTlsHost(host, join(dir, 'tls'), options.days);
  const port = await freePort();
  writeNginxConfig(dir, renderNginxSnippet({ host, port, pathPrefix: `${path}/`, upstreamPort: options.upstreamPort, certFile: tls.certFile, keyFile: tls.keyFile, rate: options.rate }));
  nginxTest(dir);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, 'logs', name), 'utf8');
    } catch {
      return '';
    }
  };
  const errorLog = () => stderr + read('error.log');
  await waitForPort(port, child, errorLog);
  return {
    host,
    port,
    baseUrl: `https://${host}${path}`,
    origin: `https://127.0.0.1:${port}`,
    tls,
    dir,
    errorLog,
    accessLog: () => read('access.log'),
    chromiumArgs: [
      `--host-resolver-rules=MAP ${host} 127.0.0.1:${port}`,
      // Chromium on Linux trusts the CAs in ~/.pki/nssdb, which would mean certutil (libnss3-tools)
      // and a HOME of our own. Instead we pin the server key: Chromium accepts a certificate whose
      // SPKI hash is listed here (it needs a user data dir, which Playwright always gives it), and
      // still rejects any other bad certificate. No ignoreHTTPSErrors, so a wrong host name or an
      // unlisted certificate would fail the test.
      `--ignore-certificate-errors-spki-list=${tls.spki}`,
    ],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
        // SIGQUIT: nginx's graceful shutdown (finishes requests under way).
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  location?: string;
  body: string;
}

/**
 * One request to a TLS proxy on loopback from Node, as a browser would send it: the made-up host
 * as SNI and Host, trusting only the throwaway CA. `target`: a path, or a URL whose path and query are used.
 */
export function viaProxy(to: { port: number; host: string; caFile: string }, target: string, method = 'GET', headers: Record<string, string> = {}): Promise<ProxyAnswer> {
  const url = new URL(target, `https://${to.host}`);
  return new Promise((ok, fail) => {
    const req = request(
      { host: '127.0.0.1', port: to.port, path: `${url.pathname}${url.search}`, method, servername: to.host, headers: { ...headers, host: to.host }, ca: readFileSync(to.caFile) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, location: res.headers.location, body }));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

/** The `name=value` pairs an answer's Set-Cookie headers set, ready for a Cookie header. */
export function cookiesOf(answer: ProxyAnswer): string {
  const set = answer.headers['set-cookie'];
  return (Array.isArray(set) ? set : set ? [set] : []).map((line) => line.split(';')[0]!).join('; ');
}

/** Where viaProxy() reaches this nginx. */
export function proxyTarget(proxy: NginxProxy): { port: number; host: string; caFile: string } {
  return { port: proxy.port, host: proxy.host, caFile: proxy.tls.caFile };
}
