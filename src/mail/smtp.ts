// The mail server, through nodemailer: a connection that has logged in (or the one-line reason it
// could not), then one message at a time. Loaded only by `remind --send` and by doctor's mail check,
// which logs in the same way. Failures are exit 7, as for an unreachable Amazon, and say SMTP,
// where, and why, never the password.

import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { AmzTokenError, ExitCode, UsageError } from '../errors.js';
import { printable } from '../terminal-text.js';
import type { MailFrom, SmtpServer } from './settings.js';

/** The mail server could not be reached, refused the login, or refused a message. */
export class MailServerError extends AmzTokenError {
  constructor(
    message: string,
    hint: string | undefined,
    /** True when later messages would fail alike (no connection, login refused): the run stops. */
    readonly fatal: boolean,
  ) {
    super(message, ExitCode.AMAZON_UNAVAILABLE, hint);
  }
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 30_000;
// Errors that every later message would meet too.
const FATAL = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EPROTOCOL', 'EPROXY']);

/** The error when smtp-url names a user and the store holds no password for it (exit 2, as a missing setting). */
export function missingPasswordError(user: string): UsageError {
  return new UsageError(`no SMTP password is stored for ${user}`, 'store it: amz-token config set-secret smtp-password');
}

/** How remind and doctor alike talk to the server: TLS verified against the machine's CAs (plus NODE_EXTRA_CA_CERTS), STARTTLS required off loopback. */
function transportOptions(server: SmtpServer, password: string | undefined, timeouts: { connectMs: number; socketMs: number }): SMTPTransport.Options {
  return {
    host: server.host,
    port: server.port,
    secure: server.secure,
    requireTLS: server.requireTls,
    ...(server.user !== undefined ? { auth: { user: server.user, pass: password! } } : {}),
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.socketMs,
    tls: { minVersion: 'TLSv1.2' },
    // The mail is ours alone: no file or URL may be pulled into it.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

/** Connects, says hello over TLS and logs in, then hangs up: whether `remind --send` could start. Throws MailServerError. */
export async function verifyMailServer(server: SmtpServer, password: string | undefined, timeoutMs: number): Promise<void> {
  if (server.user !== undefined && password === undefined) throw missingPasswordError(server.user);
  const { createTransport } = await import('nodemailer');
  const transport = createTransport(transportOptions(server, password, { connectMs: timeoutMs, socketMs: timeoutMs }));
  try {
    await transport.verify();
  } catch (error) {
    throw mailServerError(error, `${server.host}:${server.port}`, server.user);
  } finally {
    transport.close();
  }
}

/** Connects and logs in (nodemailer's verify), so a wrong password or a dead server fails before anything is made or sent. */
export async function openMailer(server: SmtpServer, password: string | undefined, from: MailFrom): Promise<Mailer> {
  if (server.user !== undefined && password === undefined) throw missingPasswordError(server.user);
  const { createTransport } = await import('nodemailer');
  const transport: Transporter = createTransport({
    ...transportOptions(server, password, { connectMs: CONNECT_TIMEOUT_MS, socketMs: SOCKET_TIMEOUT_MS }),
    pool: true,
    maxConnections: 1,
  });
  const where = `${server.host}:${server.port}`;
  try {
    await transport.verify();
  } catch (error) {
    transport.close();
    throw mailServerError(error, where, server.user);
  }
  return {
    async send(mail) {
      try {
        // Auto-Submitted (RFC 3834): a seller's out-of-office reply is not sent back to it.
        await transport.sendMail({ from: from.name ? { name: from.name, address: from.address } : from.address, headers: { 'Auto-Submitted': 'auto-generated' }, ...mail });
      } catch (error) {
        throw mailServerError(error, where, server.user);
      }
    },
    close: () => transport.close(),
  };
}

/** One line: SMTP, the server, and what went wrong, from nodemailer's code and the server's reply. */
export function mailServerError(error: unknown, where: string, user: string | undefined): MailServerError {
  const e = error as { code?: string; originalCode?: string; response?: string; responseCode?: number; message?: string };
  const reply = e.response ? ` (${printable(e.response).slice(0, 160)})` : '';
  const fatal = FATAL.has(e.code ?? '') || e.code === undefined;
  // Node's own codes for a certificate it does not accept, whichever step nodemailer files them under.
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.exec(`${e.originalCode ?? ''} ${e.code ?? ''}`) !== null;
  if (certificate) {
    return new MailServerError(
      `SMTP server ${where}: TLS failed, the certificate is not accepted (${printable(e.originalCode ?? e.code ?? '')}: ${printable(e.message ?? '').slice(0, 120)})`,
      'a server with a private CA: NODE_EXTRA_CA_CERTS=/path/to/ca.pem; a certificate for another name: put that name in smtp-url',
      true,
    );
  }
  switch (e.code) {
    case 'EAUTH':
      return new MailServerError(`SMTP server ${where} refused the login of ${user ?? '(no user)'}${reply}`, 'check the user in smtp-url, and store the password again: amz-token config set-secret smtp-password', true);
    case 'ETLS':
      return new MailServerError(`SMTP server ${where}: TLS failed (${printable(e.message ?? 'handshake failed').slice(0, 160)})`, 'smtp:// needs a server that offers STARTTLS; smtps:// one that speaks TLS at once', true);
    case 'EENVELOPE':
    case 'EMESSAGE':
      return new MailServerError(`SMTP server ${where} refused the message${reply}`, 'check the address: amz-token profile show NAME', false);
    default: {
      const cause = e.originalCode ?? e.code ?? 'unknown error';
      const text = printable(e.message ?? '').slice(0, 160);
      return new MailServerError(`SMTP server ${where} cannot be reached (${cause}${text && !text.includes(cause) ? `: ${text}` : ''})${reply}`, 'check smtp-url (amz-token config get smtp-url) and that the server answers', fatal);
    }
  }
}
