// doctor's check of `remind`'s mail settings, once any is set: smtp-url, mail-from and serve's base
// URL all there (else exit 2, as remind --send says), the SMTP password in the store (never shown),
// and the server answering over verified TLS and taking the login, as remind --send logs in (exit 7).
// No mail settings at all: no finding, as a team that does not mail its sellers has nothing to fix.

import { AmzTokenError, ExitCode, StoreUnavailableError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import type { Config } from '../../config/config.js';
import { missingMailSettings, parseMailFrom, parseSmtpUrl } from '../../mail/settings.js';
import { accounts } from '../../secrets/accounts.js';
import type { SecretStore } from '../../secrets/store.js';
import { failure, ok, skipped, type Finding } from './finding.js';
import { within } from './bounded.js';
import { STORE_CHECK_MS } from './store.js';

const SUBJECT = 'mail';

export async function checkMail(deps: Deps, config: Config, store: SecretStore | undefined, timeoutMs: number): Promise<Finding[]> {
  if (!config.smtpUrl && !config.mailFrom) return [];
  const findings: Finding[] = [];
  const missing = missingMailSettings(config, deps.env.AMZ_TOKEN_BASE_URL);
  if (missing.length) {
    // Each entry is "what (the command that sets it)": the names for the message, the commands for the fix.
    const names = missing.map((m) => m.replace(/ \(.*\)$/, ''));
    const commands = missing.map((m) => /\((amz-token .*)\)$/.exec(m)?.[1]).filter((c) => c !== undefined);
    findings.push(failure('mail.settings', SUBJECT, `remind --send needs ${names.join(', ')}`, ExitCode.USAGE, commands.join('; ')));
  } else {
    findings.push(ok('mail.settings', SUBJECT, `remind --send mails as ${parseMailFrom(config.mailFrom!).text} through ${config.smtpUrl}`));
  }
  if (!config.smtpUrl) return findings;
  const server = parseSmtpUrl(config.smtpUrl, '"smtpUrl"');
  const where = `${server.host}:${server.port}`;

  let password: string | undefined;
  if (server.user !== undefined) {
    if (!store) {
      return [...findings, skipped('mail.password', SUBJECT, 'not checked: the store did not open (see its finding)'), skipped('mail.server', SUBJECT, 'not checked: no password to log in with')];
    }
    try {
      password = (await within(store.get(accounts.smtpPassword()), STORE_CHECK_MS, () => new StoreUnavailableError(`the store did not answer within ${STORE_CHECK_MS / 1000} s`))) ?? undefined;
    } catch (error) {
      const e = error instanceof AmzTokenError ? error : undefined;
      return [...findings, failure('mail.password', SUBJECT, `the SMTP password cannot be read: ${e?.message ?? 'the store failed'}`, e?.exitCode ?? ExitCode.STORE_UNAVAILABLE, 'amz-token store show'), skipped('mail.server', SUBJECT, 'not checked: no password to log in with')];
    }
    if (password === undefined) {
      return [
        ...findings,
        failure('mail.password', SUBJECT, `no SMTP password is stored for ${server.user} (${store.description})`, ExitCode.USAGE, 'amz-token config set-secret smtp-password'),
        skipped('mail.server', SUBJECT, 'not checked: no password to log in with'),
      ];
    }
    findings.push(ok('mail.password', SUBJECT, `the SMTP password of ${server.user} is in ${store.description}`));
  }

  // nodemailer, as remind --send loads it: only when there is a server to talk to.
  const { MailServerError, verifyMailServer } = await import('../../mail/smtp.js');
  // verify's own timeouts end it; the bound covers a server that answers each step just in time.
  const limitMs = 3 * timeoutMs;
  try {
    await within(verifyMailServer(server, password, timeoutMs), limitMs, () => new MailServerError(`SMTP server ${where} did not finish the login within ${Math.round(limitMs / 1000)} s`, 'check smtp-url (amz-token config get smtp-url) and that the server answers', true));
  } catch (error) {
    const e = error instanceof AmzTokenError ? error : new MailServerError(`SMTP server ${where}: ${(error as Error).message.split('\n')[0]}`, undefined, true);
    return [...findings, failure('mail.server', SUBJECT, e.message, e.exitCode, e.hint)];
  }
  const tls = server.secure ? ' over TLS with a trusted certificate' : server.requireTls ? ' with STARTTLS and a trusted certificate' : '';
  findings.push(ok('mail.server', SUBJECT, `SMTP server ${where} answers${tls} and ${server.user !== undefined ? `accepts the login of ${server.user}` : 'asks for no login'}`));
  return findings;
}
