// Owns the check that the shipped nginx snippet (contrib/nginx/amz-token-serve.conf), rendered by
// test/support/nginx-tls.ts, is a working TLS proxy for serve: nginx -t passes, the path reaches
// the upstream unchanged with the forwarding headers a deployment relies on, only GET passes, and
// a real Chromium reaches the made-up host and trusts its throwaway certificate (and no other).
// Also the shipped Caddyfile, run by Debian's Caddy the same way, and that the shipped systemd unit
// passes systemd-analyze verify.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForOutput } from '../support/flow.js';
import { makeTlsHost, proxyTarget, startNginx, viaProxy, type NginxProxy } from '../support/nginx-tls.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

let upstream: Server;
const seen: Seen[] = [];
let proxy: NginxProxy;
let browser: Browser;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>upstream</title><p>hello from upstream</p>');
  });
  await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', ok));
  const { port } = upstream.address() as { port: number };
  proxy = await startNginx({ upstreamPort: port });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...proxy.chromiumArgs],
  });
});

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await new Promise<void>((ok) => (upstream ? upstream.close(() => ok()) : ok()));
});


describe('nginx in front of serve (the shipped snippet)', () => {
  it('passes the path and query through unchanged, with Host, X-Forwarded-For and X-Forwarded-Proto, and refuses other methods and paths', async () => {
    const before = seen.length;
    const ok = await viaProxy(proxyTarget(proxy), '/amz-token/i/abc.def?x=%2F1');
    expect(ok.status).toBe(200);
    const got = seen[before]!;
    expect(got.url).toBe('/amz-token/i/abc.def?x=%2F1');
    expect(got.headers.host).toBe(proxy.host);
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-proto']).toBe('https');

    expect((await viaProxy(proxyTarget(proxy), '/amz-token/healthz', 'POST')).status).toBe(403);
    expect((await viaProxy(proxyTarget(proxy), '/elsewhere')).status).toBe(404);
    expect(seen.length).toBe(before + 1);
  });

  it('is reached by Chromium under the made-up host name, trusting the pinned certificate', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${proxy.baseUrl}/healthz`);
      expect(response?.status()).toBe(200);
      expect(await page.textContent('body')).toContain('hello from upstream');
      expect(page.url()).toBe(`${proxy.baseUrl}/healthz`);
    } finally {
      await context.close();
    }
  });

  it('is refused by the same Chromium when nginx shows a certificate whose key is not pinned', async () => {
    // Same host and CA layout, other key: proves the SPKI pin is what Chromium trusts, not "any certificate".
    const other = makeTlsHost(proxy.host);
    const pinnedElsewhere = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', `--host-resolver-rules=MAP ${proxy.host} 127.0.0.1:${proxy.port}`, `--ignore-certificate-errors-spki-list=${other.spki}`],
    });
    try {
      const page = await pinnedElsewhere.newPage();
      await expect(page.goto(`${proxy.baseUrl}/healthz`)).rejects.toThrow(/ERR_CERT/);
    } finally {
      await pinnedElsewhere.close();
    }
  });
});

describe('the shipped systemd unit (contrib/systemd/amz-token-serve.service)', () => {
  it('passes systemd-analyze verify, with the hardening it promises', async () => {
    const unit = readFileSync(resolve(import.meta.dirname, '../../contrib/systemd/amz-token-serve.service'), 'utf8');
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/amz-token', 'Restart=on-failure', 'KillSignal=SIGTERM']) expect(unit).toContain(line);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/amz-token serve --listen 127\.0\.0\.1:8080 --base-url https:\/\/auth\.example\.com\/amz-token/m);
    // verify checks that ExecStart's program exists: point it at this checkout's.
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-unit-'));
    try {
      const file = join(dir, 'amz-token-serve.service');
      writeFileSync(file, unit.replace('/usr/bin/amz-token', resolve(import.meta.dirname, '../../bin/amz-token.js')));
      const verified = await execa('systemd-analyze', ['verify', file], { reject: false });
      expect(verified.stderr).toBe('');
      expect(verified.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped Caddyfile (contrib/caddy/Caddyfile)', () => {
  it('run by Caddy with TLS: passes the path through unchanged with the forwarding headers, refuses other methods and paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-caddy-'));
    const tls = makeTlsHost(proxy.host.replace(/^auth-/, 'caddy-'), join(dir, 'tls'));
    const [port, httpPort] = [await freePort(), await freePort()];
    const { port: upstreamPort } = upstream.address() as { port: number };
    let text = readFileSync(resolve(import.meta.dirname, '../../contrib/caddy/Caddyfile'), 'utf8');
    for (const [from, to] of [
      ['auth.example.com {', `${tls.host}:${port} {\n\ttls ${tls.certFile} ${tls.keyFile}`],
      ['reverse_proxy 127.0.0.1:8080', `reverse_proxy 127.0.0.1:${upstreamPort}`],
      ['@amz_token path /amz-token /amz-token/*', '@amz_token path /amz-token /amz-token/*'],
    ] as const) {
      expect(text, from).toContain(from);
      text = text.replace(from, to);
    }
    // Ours, for the test only: no admin endpoint, ports of our own, storage in the temp folder.
    text = `{\n\tadmin off\n\thttp_port ${httpPort}\n\thttps_port ${port}\n\tstorage file_system ${join(dir, 'data')}\n\tdefault_bind 127.0.0.1\n}\n${text}`;
    writeFileSync(join(dir, 'Caddyfile'), text);
    const env = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
    const caddy = execa('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { env, reject: false, all: true });
    let log = '';
    caddy.all?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      await waitForOutput(() => log, (t) => /serving initial configuration|"msg":"serving/.test(t) || caddy.exitCode !== null, 20_000);
      const to = { port, host: tls.host, caFile: tls.caFile };
      const before = seen.length;
      expect((await viaProxy(to, '/amz-token/i/abc.def?x=%2F1')).status).toBe(200);
      const got = seen[before]!;
      expect(got.url).toBe('/amz-token/i/abc.def?x=%2F1');
      expect(got.headers.host).toBe(tls.host);
      expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(got.headers['x-forwarded-proto']).toBe('https');
      expect((await viaProxy(to, '/amz-token/healthz', 'POST')).status).toBe(405);
      expect((await viaProxy(to, '/elsewhere')).status).toBe(404);
      expect(seen.length).toBe(before + 1);
    } finally {
      caddy.kill('SIGTERM');
      await caddy;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
