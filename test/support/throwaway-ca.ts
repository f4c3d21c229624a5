// A throwaway certificate authority and a certificate for *.amazon.com (or the
// names given) signed by it, made with the openssl CLI in a temporary folder, so
// the Amazon double can speak https under Amazon's host names, and the test SMTP
// server TLS on 127.0.0.1, to clients that trust this CA (NODE_EXTRA_CA_CERTS) and no one else.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
  /** The CA certificate's file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** PEM key and certificate of the server, for the double's `tls` option. */
  server: { key: string; cert: string };
}

/** `altNames`: the server certificate's subjectAltName entries (default Amazon's hosts), e.g. ['IP:127.0.0.1']. */
export function throwawayCa(altNames: readonly string[] = ['DNS:*.amazon.com', 'DNS:api.amazon.com']): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-ca-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=amz-token test CA (throwaway)',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${altNames[0]!.replace(/^[A-Z]+:/, '')}`);
  writeFileSync(file('server.ext'), `subjectAltName=${altNames.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), server: { key: readFileSync(file('server.key'), 'utf8'), cert: readFileSync(file('server.pem'), 'utf8') } };
}
