// serve's part of `npm run bench` (called from scripts/bench.mjs): idle memory of `amz-token serve`,
// requests per second on /healthz and on a bad invitation link at 50 concurrent, and a real
// seller's flow (landing page, callback, exchange at LWA, store in the keychain) completing during
// such a flood. Figures only, never a verdict that fails: the numbers depend on the machine.
// Loopback only, bounded (a fixed number of requests per row); Node's own http client with a
// keep-alive Agent, so nothing to install.
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackLwa } from './bench-lwa.mjs';

const CONCURRENCY = 50;
const REQUESTS_PER_ROW = 4000;
const HOST = 'bench.amz-token.test';
const BASE = `https://${HOST}/amz-token`;
const SELLER = 'A3BENCHSERVE01';

/**
 * Runs the serve rows. `env` must reach a Secret Service (bench.mjs's private one); returns table
 * rows [what, figure, note], or undefined with a note on stderr when serve cannot start.
 */
export async function benchServe({ bin, env }) {
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-bench-serve-'));
  const lwa = await startLoopbackLwa(SELLER);
  const fullEnv = { ...process.env, ...env, AMZ_TOKEN_CONFIG_DIR: join(dir, 'config'), AMZ_TOKEN_LWA_URL: lwa.url, AMZ_TOKEN_SPAPI_URL: lwa.spApi, AMZ_TOKEN_CENTRAL_URL: 'https://sellercentral.amazon.de', NO_COLOR: '1' };
  const cli = (args, input) => {
    const run = spawnSync(process.execPath, [bin, ...args], { env: fullEnv, input, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`amz-token ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return run.stdout;
  };
  let serve;
  try {
    const today = new Date().toISOString().slice(0, 10);
    cli(['app', 'add', 'bench-serve-app', '--app-id', 'amzn1.sp.solution.00000000-0000-0000-0000-000000000001', '--client-id', 'amzn1.application-oa2-client.00000000000000000000000000000001',
      '--redirect-uri', `${BASE}/callback`, '--secret-created', today], 'amzn1.oa2-cs.v1.benchserve00000000000000000000000');
    for (const profile of ['bench-flood', 'bench-quiet']) {
      cli(['import', '--profile', profile, '--app', 'bench-serve-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', today], 'Atzr' + '|bench-serve-old');
    }
    const invite = (profile) => JSON.parse(cli(['invite', '--profile', profile, '--base-url', BASE, '--json'])).url;

    serve = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--base-url', BASE], { env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    serve.stderr.on('data', (chunk) => (log += chunk));
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not say where it listens: ${log}`)), 15_000);
      serve.stderr.on('data', () => {
        const match = /127\.0\.0\.1:(\d+)/.exec(log);
        if (match) (clearTimeout(timer), resolve(Number(match[1])));
      });
      serve.once('exit', (code) => (clearTimeout(timer), reject(new Error(`serve exited ${code}: ${log}`))));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const get = (path, client = '127.0.0.1', cookie = undefined) => once(agent, port, path, client, cookie);

    // Idle: after one request of each kind has loaded the routes, and a few quiet seconds.
    const quietFlow = await sellerFlow(get, invite('bench-quiet'), '192.0.2.1');
    await get('/amz-token/healthz');
    await new Promise((r) => setTimeout(r, 3000));
    const idleRss = rssMB(serve.pid);

    const health = await flood(get, () => '/amz-token/healthz', REQUESTS_PER_ROW);
    // Bad links from many clients (each under the per-client limit) and from one (mostly 429s).
    const badMany = await flood(get, (i) => [`/amz-token/i/bench${i}.AAAA`, `10.0.${(i >> 8) & 255}.${i & 255}`], REQUESTS_PER_ROW);
    const badOne = await flood(get, (i) => [`/amz-token/i/bench${i}.AAAA`, '203.0.113.9'], REQUESTS_PER_ROW);
    const afterRss = rssMB(serve.pid);

    // A real seller during a flood of both kinds.
    const link = invite('bench-flood');
    const during = flood(get, (i) => (i % 2 ? '/amz-token/healthz' : [`/amz-token/i/flood${i}.AAAA`, `10.1.${(i >> 8) & 255}.${i & 255}`]), REQUESTS_PER_ROW);
    const started = performance.now();
    const flow = await sellerFlow(get, link, '192.0.2.2');
    const flowMs = performance.now() - started;
    const duringFlood = await during;
    agent.destroy();

    const rate = (f) => `${Math.round(f.perSecond)} req/s`;
    const mix = (f) => Object.entries(f.statuses).map(([s, n]) => `${n}x${s}`).join(' ');
    return [
      ['serve: idle RSS (after one flow)', `${idleRss.toFixed(1)} MB`, ''],
      ['serve: RSS after the floods below', `${afterRss.toFixed(1)} MB`, ''],
      [`serve: /healthz, ${CONCURRENCY} concurrent`, rate(health), mix(health)],
      [`serve: bad invitation, ${CONCURRENCY} concurrent, many clients`, rate(badMany), mix(badMany)],
      [`serve: bad invitation, ${CONCURRENCY} concurrent, one client`, rate(badOne), mix(badOne)],
      ['serve: a seller\'s flow with nobody else', quietFlow.ok ? `${Math.round(quietFlow.ms)} ms` : 'FAILED', quietFlow.detail],
      [`serve: a seller's flow during a flood (${rate(duringFlood)})`, flow.ok ? `${Math.round(flowMs)} ms` : 'FAILED', flow.detail],
    ];
  } catch (error) {
    console.error(`bench: serve rows left out: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
    lwa.server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One GET through the shared agent, as nginx would pass it on; resolves with status, location and body. */
function once(agent, port, path, client, cookie) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { host: HOST, 'x-forwarded-for': client, 'x-forwarded-proto': 'https', ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, cookie: String(res.headers['set-cookie'] ?? '').split(';')[0], body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/** `total` requests, CONCURRENCY at a time; target(i) is a path or [path, client]. */
async function flood(get, target, total) {
  let next = 0;
  const statuses = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const t = target(next++);
        const [path, client] = Array.isArray(t) ? t : [t, undefined];
        const { status } = await get(path, client);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { perSecond: total / ((performance.now() - started) / 1000), statuses };
}

/** The seller's side without a browser: landing page, then Amazon's redirect to the callback with a code. */
async function sellerFlow(get, link, client) {
  const started = performance.now();
  const landing = await get(new URL(link).pathname, client);
  const href = /<a [^>]*id="continue"[^>]*href="([^"]+)"/.exec(landing.body)?.[1]?.replaceAll('&amp;', '&');
  if (landing.status !== 200 || !href) return { ok: false, ms: 0, detail: `landing page answered ${landing.status}` };
  const state = new URL(href).searchParams.get('state');
  const query = new URLSearchParams({ state, selling_partner_id: SELLER, spapi_oauth_code: `ANbench${Date.now()}` });
  // The browser sends back the cookie the landing page set: serve binds each state to it.
  const callback = await get(`/amz-token/callback?${query}`, client, landing.cookie);
  const ok = callback.status === 303 && /\/done$/.test(callback.location ?? '');
  return { ok, ms: performance.now() - started, detail: ok ? 'landing, callback, exchange, stored' : `callback answered ${callback.status}` };
}

function rssMB(pid) {
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

