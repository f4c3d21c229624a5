// doctor's check of `serve` as a seller meets it: <base-url>/healthz through the public
// address (the proxy included), over TLS with a certificate a browser would accept: a chain
// to a CA this machine trusts, the host's name, days left. Failures are exit 6: sellers'
// flows through serve cannot complete.

import { connect, type TLSSocket } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { isIP } from 'node:net';
import { ExitCode } from '../../errors.js';
import { describeNetworkError } from '../../amazon/http.js';
import type { BaseUrl } from '../../serve/base-url.js';
import { failure, ok, warning, type Finding } from './finding.js';

const DAY_MS = 86_400_000;
/** Let's Encrypt renews 30 days ahead: two weeks left means renewal has been failing. */
const CERT_WARN_DAYS = 14;
const SUBJECT = 'serve';

export async function checkServe(base: BaseUrl, timeoutMs: number, now: Date): Promise<Finding[]> {
  const url = new URL(base.href);
  const findings: Finding[] = [];
  if (url.protocol === 'https:') findings.push(await checkCertificate(url, timeoutMs, now));
  else findings.push(ok('serve.tls', SUBJECT, `${base.href} is plain http on this machine: for tests only, Amazon takes https URIs alone`));
  findings.push(await checkHealth(base, timeoutMs));
  return findings;
}

async function checkCertificate(url: URL, timeoutMs: number, now: Date): Promise<Finding> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const fix = `install a certificate for ${host} from a public CA, with its full chain (e.g. certbot --nginx -d ${host})`;
  let socket: TLSSocket | undefined;
  try {
    socket = await new Promise<TLSSocket>((resolve, reject) => {
      // Not refused here: the finding names why a browser would refuse it.
      const s = connect({ host, port, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, timeout: timeoutMs }, () => resolve(s));
      s.once('timeout', () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      s.once('error', reject);
    });
    const cert = socket.getPeerX509Certificate();
    if (!cert) return failure('serve.tls', SUBJECT, `${host}:${port} sent no certificate`, ExitCode.FLOW_NOT_COMPLETED, fix);
    const daysLeft = Math.floor((Date.parse(cert.validTo) - now.getTime()) / DAY_MS);
    const issuer = cert.issuer.split('\n').find((line) => line.startsWith('CN='))?.slice(3) ?? cert.issuer.split('\n')[0];
    if (!socket.authorized) {
      return failure('serve.tls', SUBJECT, `a seller's browser would refuse the certificate of ${host} (issued by ${issuer}): ${tlsReason(String(socket.authorizationError))}`, ExitCode.FLOW_NOT_COMPLETED, fix);
    }
    const what = `the certificate of ${host} is trusted and names the host (issued by ${issuer}); ${daysLeft} days left`;
    if (daysLeft < CERT_WARN_DAYS) return warning('serve.tls', SUBJECT, what, `renew it: certbot renew (or your CA's tool), then reload the proxy`);
    return ok('serve.tls', SUBJECT, what);
  } catch (error) {
    return failure('serve.tls', SUBJECT, `no TLS answer from ${host}:${port} (${describeNetworkError(error)})`, ExitCode.FLOW_NOT_COMPLETED, 'check DNS, the proxy (nginx, Caddy) and the firewall');
  } finally {
    socket?.destroy();
  }
}

/** Node's verification codes in an operator's words. */
export function tlsReason(code: string): string {
  if (/ALTNAME|HOSTNAME/.test(code)) return `it does not name the host (${code})`;
  if (/EXPIRED/.test(code)) return `it has expired (${code})`;
  // A certificate dated in the future: usually this machine's clock (or the server's) is wrong.
  if (/NOT_YET_VALID/.test(code)) return `it is not valid yet: check this machine's clock and the server's (${code})`;
  if (/SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|UNTRUSTED/.test(code)) return `its chain does not lead to a CA this machine trusts, or the proxy sends no intermediate (${code})`;
  return code;
}

async function checkHealth(base: BaseUrl, timeoutMs: number): Promise<Finding> {
  const target = `${base.href}/healthz`;
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const send = target.startsWith('https:') ? httpsRequest : httpRequest;
      // Trust is the TLS finding's business: here, only whether serve answers behind the address.
      const req = send(target, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.once('error', reject);
      req.end();
    });
    if (status === 200) return ok('serve.health', SUBJECT, `${target} answers 200 through the public address`);
    if (status === 503) return failure('serve.health', SUBJECT, `${target} answers 503: serve runs but cannot read config.json or the secret store`, ExitCode.FLOW_NOT_COMPLETED, 'journalctl -u amz-token-serve (its log names the cause)');
    if (status === 502 || status === 504) {
      return failure('serve.health', SUBJECT, `${target} answers ${status} from the proxy: serve is not running behind it, or not on the port the proxy names`, ExitCode.FLOW_NOT_COMPLETED, 'systemctl start amz-token-serve (or amz-token serve --listen 127.0.0.1:8080)');
    }
    return failure('serve.health', SUBJECT, `${target} answers HTTP ${status}, not serve's 200`, ExitCode.FLOW_NOT_COMPLETED, 'check that the proxy passes the base URL\'s path to serve (contrib/nginx/amz-token-serve.conf)');
  } catch (error) {
    return failure('serve.health', SUBJECT, `nothing answers at ${target} (${describeNetworkError(error)})`, ExitCode.FLOW_NOT_COMPLETED, 'check DNS, the proxy (nginx, Caddy) and the firewall');
  }
}

/** What to register at Amazon for serve (README, Teams). */
export function serveUris(base: BaseUrl): { redirectUri: string; loginUri: string } {
  return { redirectUri: `${base.href}/callback`, loginUri: `${base.href}/login` };
}
