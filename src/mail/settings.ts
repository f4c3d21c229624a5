// The mail settings in config.json: which SMTP server `remind --send` talks to (smtpUrl) and whom
// its mail is from (mailFrom). The password is never here: it sits in the secret store
// (`config set-secret smtp-password`). Free of I/O, so config.json's validation can use it.

import { ConfigError, UsageError, configRule } from '../errors.js';
import { isLoopbackHost } from '../validate.js';
import { emailAddress } from '../config/contact.js';

export interface MailSettings {
  /** smtps://USER@HOST[:PORT] (implicit TLS) or smtp://USER@HOST[:PORT] (STARTTLS). */
  smtpUrl?: string;
  /** 'Name <addr>' or 'addr'. */
  mailFrom?: string;
}

export interface SmtpServer {
  /** Implicit TLS from the first byte (smtps://); otherwise STARTTLS. */
  secure: boolean;
  host: string;
  port: number;
  user?: string;
  /** smtp:// to anything but loopback: a server that offers no STARTTLS is refused, never spoken to in clear. */
  requireTls: boolean;
  /** The normalised URL, as config.json keeps it. */
  href: string;
}

export interface MailFrom {
  name?: string;
  address: string;
  /** As config.json keeps it and a From header shows it. */
  text: string;
}

const DEFAULT_PORTS = { 'smtps:': 465, 'smtp:': 587 } as const;

export function parseSmtpUrl(value: string, what = 'smtp-url'): SmtpServer {
  const shown = value.replace(/[^\x20-\x7e]/g, '?').replace(/:[^:@/]*@/, ':***@').slice(0, 80);
  if (!URL.canParse(value)) throw new UsageError(`${what} "${shown}" is not a URL`, 'e.g. smtps://mailer@mail.example.com or smtp://mailer@mail.example.com:587');
  const url = new URL(value);
  if (url.protocol !== 'smtps:' && url.protocol !== 'smtp:') throw new UsageError(`${what} must start with smtps:// (TLS) or smtp:// (STARTTLS), got ${url.protocol.slice(0, 12)}//`);
  // A password in the URL would land in config.json, ps and shell history.
  if (url.password) throw new UsageError(`${what} must not hold a password (nothing was changed; it is in your shell history now: consider changing it)`, 'store it in the secret store instead: amz-token config set-secret smtp-password');
  if (url.pathname.replace(/^\/$/, '') || url.search || url.hash) throw new UsageError(`${what} takes only USER@HOST[:PORT], without a path, query or fragment`);
  if (!url.hostname) throw new UsageError(`${what} needs a host`);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  if (user !== undefined && /[\x00-\x1f\x7f]/.test(user)) throw new UsageError(`${what}: the user name holds a control character`);
  const protocol = url.protocol as keyof typeof DEFAULT_PORTS;
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[protocol];
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    secure: protocol === 'smtps:',
    host,
    port,
    ...(user !== undefined ? { user } : {}),
    requireTls: protocol === 'smtp:' && !isLoopbackHost(url.hostname),
    href: `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}`,
  };
}

export function parseMailFrom(value: string, what = 'mail-from'): MailFrom {
  const text = value.trim();
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(text);
  const address = emailAddress(named ? named[2]! : text, `${what}'s address`);
  const name = named?.[1]?.replace(/^"(.*)"$/, '$1').trim();
  if (name !== undefined && /[\x00-\x1f\x7f"<>]/.test(name)) throw new UsageError(`${what}: the name may not hold quotes, angle brackets or control characters`);
  if (name !== undefined && name.length > 100) throw new UsageError(`${what}: the name is longer than 100 characters`);
  return name ? { name, address, text: `${name} <${address}>` } : { address, text: address };
}

/**
 * What `remind --send` needs and is not set, each with the command that sets it: smtp-url,
 * mail-from, and serve's base URL (the links point at serve). Shared by remind and doctor.
 */
export function missingMailSettings(config: MailSettings & { baseUrl?: string }, baseUrlFromEnv: string | undefined): string[] {
  return [
    ...(config.smtpUrl ? [] : ['smtp-url (amz-token config set smtp-url smtps://USER@HOST)']),
    ...(config.mailFrom ? [] : ["mail-from (amz-token config set mail-from 'Name <addr>')"]),
    ...(config.baseUrl || baseUrlFromEnv?.trim() ? [] : ['a base URL (amz-token config set base-url https://HOST/PATH)']),
  ];
}

/** config.json's smtpUrl and mailFrom, each checked by the rule of `config set`. */
export function parseMailSettings(raw: Record<string, unknown>, file: string): MailSettings {
  const out: MailSettings = {};
  for (const [key, parse] of [['smtpUrl', (v: string) => parseSmtpUrl(v, '"smtpUrl"').href], ['mailFrom', (v: string) => parseMailFrom(v, '"mailFrom"').text]] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ConfigError(file, `"${key}" must be a string`);
    out[key] = configRule(() => parse(value), file);
  }
  return out;
}
