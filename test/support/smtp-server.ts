// A real SMTP server on loopback for the tests of `amz-token remind`: smtp-server (from the
// nodemailer project) speaking TLS from the first byte with a certificate for 127.0.0.1 from a
// throwaway CA, AUTH PLAIN/LOGIN required (and only over TLS), every accepted message parsed with
// mailparser. The CLI trusts the CA through NODE_EXTRA_CA_CERTS, as it would trust a real server.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { throwawayCa } from './throwaway-ca.js';

export interface TestSmtpServer {
  /** smtps://USER@127.0.0.1:PORT, for `config set smtp-url`. */
  url: string;
  user: string;
  password: string;
  port: number;
  /** The CA that signed the server's certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Every message accepted, parsed, with the envelope's recipients. */
  messages: Array<ParsedMail & { envelopeTo: string[]; envelopeFrom: string }>;
  /** Logins refused (a wrong password). */
  refusedLogins: number;
  /** Every AUTH attempt, accepted or not: a password that crossed the wire. */
  loginAttempts: number;
  close(): Promise<void>;
}

/**
 * `refuse`: recipients the server answers 550 (no such mailbox), as a real server does for a wrong address.
 * `plain`: a server that speaks no TLS at all (no STARTTLS offered) and would take AUTH in clear, on `host`.
 */
export async function startSmtpServer(options: { user?: string; password?: string; refuse?: readonly string[]; plain?: boolean; host?: string } = {}): Promise<TestSmtpServer> {
  const user = options.user ?? 'mailer@ops.example';
  const password = options.password ?? `pw ${Math.random().toString(36).slice(2)} with spaces`;
  const ca = throwawayCa(['IP:127.0.0.1']);
  const state = { refusedLogins: 0, loginAttempts: 0, messages: [] as TestSmtpServer['messages'] };
  const pending = new Set<Promise<void>>();
  const server = new SMTPServer({
    ...(options.plain ? { secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : { secure: true, key: ca.server.key, cert: ca.server.cert }),
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
      state.loginAttempts += 1;
      if (auth.username === user && auth.password === password) return callback(null, { user });
      state.refusedLogins += 1;
      const error = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
      return callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.includes(address.address)) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      return callback();
    },
    onData(stream, session, callback) {
      const done = simpleParser(stream).then(
        (mail) => {
          state.messages.push(Object.assign(mail, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' }));
          callback();
        },
        (error: Error) => callback(error),
      );
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `${options.plain ? 'smtp' : 'smtps'}://${encodeURIComponent(user)}@${options.host ?? '127.0.0.1'}:${port}`,
    user,
    password,
    port,
    caFile: ca.caFile,
    messages: state.messages,
    get refusedLogins() {
      return state.refusedLogins;
    },
    get loginAttempts() {
      return state.loginAttempts;
    },
    async close() {
      await Promise.all(pending);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
