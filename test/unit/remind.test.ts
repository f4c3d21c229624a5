// The parts of `remind` that need no server: the seller's contact and the mail settings as the
// flags and config.json take them, who is due for a reminder with which link, the mail itself,
// and what an SMTP failure says. Dates are relative to now. The real SMTP server: test/e2e/remind.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailAddress } from '../../src/config/contact.js';
import type { Config, ProfileRecord } from '../../src/config/config.js';
import { parseMailFrom, parseSmtpUrl } from '../../src/mail/settings.js';
import { planReminders } from '../../src/mail/reminder-plan.js';
import { reminderMail } from '../../src/mail/reminder-mail.js';
import { mailServerError } from '../../src/mail/smtp.js';
import { configAccounts } from '../../src/secrets/accounts.js';
import { writeConfig } from '../support/config-file.js';
import { fakeEnvironment } from '../support/fake-deps.js';

const DAY_MS = 86_400_000;
const now = new Date();
const inDays = (days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();

describe('mail addresses, smtp-url and mail-from', () => {
  it.each(['ops@shop.example', 'first.last+tag@sub.shop-example.de', "o'brien@example.co.uk"])('accepts %s', (address) => {
    expect(emailAddress(address)).toBe(address);
  });

  it.each(['ops', 'ops@', '@shop.example', 'a b@shop.example', 'a@b.de,c@d.de', 'a@b.de\r\nBcc: x@y.de', '<a@b.de>', 'a..b@shop.example', 'ops@localhost', 'a@-b.de'])('refuses %j (exit 2)', (address) => {
    expect(() => emailAddress(address)).toThrow(/is not a mail address/);
  });

  it('smtps:// is TLS from the first byte (465 by default); smtp:// is STARTTLS (587), required unless the host is loopback', () => {
    expect(parseSmtpUrl('smtps://mailer@mail.example.com')).toEqual({ secure: true, host: 'mail.example.com', port: 465, user: 'mailer', requireTls: false, href: 'smtps://mailer@mail.example.com' });
    expect(parseSmtpUrl('smtp://u%40acme.example@mail.example.com:2525')).toMatchObject({ secure: false, port: 2525, user: 'u@acme.example', requireTls: true });
    expect(parseSmtpUrl('smtp://127.0.0.1:25')).toMatchObject({ requireTls: false, host: '127.0.0.1' });
    expect(parseSmtpUrl('smtp://mailer@localhost')).toMatchObject({ requireTls: false });
  });

  it.each([
    ['smtps://mailer:hunter2@mail.example.com', /must not hold a password/],
    ['https://mail.example.com', /must start with smtps:\/\/ \(TLS\) or smtp:\/\//],
    ['smtps://mailer@mail.example.com/inbox', /without a path/],
    ['smtps://mailer@mail.example.com?x=1', /without a path, query/],
    ['mail.example.com', /is not a URL|must start with/],
  ])('smtp-url %s is refused', (value, problem) => {
    expect(() => parseSmtpUrl(value)).toThrow(problem);
  });

  it('the refusal of a URL with a password does not repeat the password', () => {
    expect(() => parseSmtpUrl('smtps://mailer:hunter2@mail.example.com')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it("mail-from is 'Name <addr>' or a bare address, normalised", () => {
    expect(parseMailFrom('Acme Integrations <ops@acme.example>')).toEqual({ name: 'Acme Integrations', address: 'ops@acme.example', text: 'Acme Integrations <ops@acme.example>' });
    expect(parseMailFrom('"Acme" <ops@acme.example>').text).toBe('Acme <ops@acme.example>');
    expect(parseMailFrom('ops@acme.example')).toEqual({ address: 'ops@acme.example', text: 'ops@acme.example' });
    expect(() => parseMailFrom('Acme <ops@acme.example>, x@evil.example')).toThrow(/not a mail address/);
    expect(() => parseMailFrom('Ac\nme <ops@acme.example>')).toThrow();
  });
});

describe('profile set, config set and set-secret (in-process)', () => {
  it('profile set keeps the address and language in config.json; --no-email removes them; a bad address changes nothing', async () => {
    const env = fakeEnvironment({ now });
    writeConfig(env.deps.configDir, { apps: { 'my-app': { clientSecretCreatedAt: inDays(-1) } }, profiles: { 'shop-de': { expiresAt: inDays(20) } } });
    expect((await env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example', '--language', 'de'])).code).toBe(0);
    const file = join(env.deps.configDir, 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles['shop-de'].contact).toEqual({ email: 'ops@shop.example', language: 'de' });
    const before = readFileSync(file, 'utf8');
    expect((await env.run(['profile', 'set', 'shop-de', '--email', 'a@b.de, c@d.de'])).code).toBe(2);
    expect((await env.run(['profile', 'set', 'shop-de', '--language', 'fr'])).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const shown = JSON.parse((await env.run(['--json', 'profile', 'show', 'shop-de'])).stdout);
    expect(shown).toMatchObject({ profile: 'shop-de', contact: { email: 'ops@shop.example', language: 'de' }, reminded: null });
    expect((await env.run(['profile', 'set', 'shop-de', '--no-email'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles['shop-de']).not.toHaveProperty('contact');
    expect((await env.run(['profile', 'set', 'nobody', '--email', 'a@b.de'])).code).toBe(5);
  });

  it('config set-secret smtp-password reads stdin into the secret store, never into config.json; store migrate moves it', async () => {
    expect(configAccounts({ version: 1, apps: {}, profiles: {} }).shared).toContain('mail/smtp-password');
    const env = fakeEnvironment({ now });
    const result = await env.run(['config', 'set-secret', 'smtp-password'], 'app password with spaces\n');
    expect(result.code, result.stderr).toBe(0);
    expect(await env.store.get('mail/smtp-password')).toBe('app password with spaces');
    expect(result.stdout + result.stderr).not.toContain('app password');
    expect((await env.run(['config', 'set-secret', 'smtp-password'], '')).code).toBe(2);
  });

  it("a new seller's invitation takes --email and --language, which its record keeps for the profile it becomes", async () => {
    const env = fakeEnvironment({ now });
    writeConfig(env.deps.configDir, { apps: { 'my-app': { clientSecretCreatedAt: inDays(-1) } } });
    const made = await env.run(['invite', '--profile', 'new-shop', '--app', 'my-app', '--marketplace', 'DE', '--email', 'new@shop.example', '--language', 'de', '--base-url', 'https://auth.acme.example/amz']);
    expect(made.code, made.stderr).toBe(0);
    const { invitations } = JSON.parse(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8'));
    expect(Object.values(invitations)).toEqual([expect.objectContaining({ kind: 'new-seller', profile: 'new-shop', contact: { email: 'new@shop.example', language: 'de' } })]);
    expect((await env.run(['invite', '--profile', 'other', '--app', 'my-app', '--marketplace', 'DE', '--email', 'not-an-address', '--base-url', 'https://auth.acme.example/amz'])).code).toBe(2);
  });

  it('the dry run lists every lapsing seller, or with --profile that one; exit 3 names one without an address, exit 5 an unknown profile', async () => {
    const env = fakeEnvironment({ now });
    writeConfig(env.deps.configDir, { apps: { 'my-app': { clientSecretCreatedAt: inDays(-1) } }, profiles: { 'shop-de': { expiresAt: inDays(20) }, 'shop-fr': { marketplace: 'FR', expiresAt: inDays(10) } } });
    await env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example']);
    const all = await env.run(['--json', 'remind']);
    expect(all.code).toBe(3);
    expect(JSON.parse(all.stdout).reminders.map((r: { profile: string; action: string }) => [r.profile, r.action])).toEqual([['shop-fr', 'no-address'], ['shop-de', 'would-send']]);
    expect(all.stderr).toContain('shop-fr lapses in 10 days and has no mail address; run: amz-token profile set shop-fr --email ADDR');
    const one = await env.run(['--json', '--profile', 'shop-de', 'remind']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).reminders.map((r: { profile: string }) => r.profile)).toEqual(['shop-de']);
    expect((await env.run(['--profile', 'nobody', 'remind'])).code).toBe(5);
    expect(await env.store.get('serve/signing-key')).toBeNull(); // a dry run makes no key and no link
  });

  it('remind --send without mail settings exits 2 and names each missing one; nothing is written', async () => {
    const env = fakeEnvironment({ now });
    writeConfig(env.deps.configDir, { apps: { 'my-app': { clientSecretCreatedAt: inDays(-1) } }, profiles: { 'shop-de': { expiresAt: inDays(20) } } });
    await env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example']);
    const before = readFileSync(join(env.deps.configDir, 'config.json'), 'utf8');
    const result = await env.run(['remind', '--send']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs smtp-url .*, mail-from .*, a base URL/);
    expect(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8')).toBe(before);
  });
});

function config(profiles: Record<string, Partial<ProfileRecord> & { expiresAt: string }>, invitations: Config['invitations'] = {}): Config {
  const full = Object.fromEntries(
    Object.entries(profiles).map(([name, p]) => [name, { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE12345', ...p } as ProfileRecord]),
  );
  const app = { appId: 'amzn1.sp.solution.x', clientId: 'amzn1.application-oa2-client.x', redirectUri: 'https://x.example/', draft: false, clientSecretCreatedAt: inDays(-1) };
  return { version: 1, apps: { 'my-app': app }, profiles: full, invitations };
}
const contact = { email: 'ops@shop.example', language: 'en' as const };
const invitation = (profile: string, expiresInDays: number) => ({ kind: 'renewal' as const, profile, app: 'my-app', marketplace: 'DE', role: 'seller' as const, createdAt: inDays(-1), expiresAt: inDays(expiresInDays) });

describe('who is reminded, with which link', () => {
  it('only profiles that lapse within the window (or have lapsed), soonest first; those without an address are named', () => {
    const plan = planReminders(config({ late: { expiresAt: inDays(25), contact }, soon: { expiresAt: inDays(5) }, gone: { expiresAt: inDays(-3), contact }, fine: { expiresAt: inDays(200), contact } }), now, 30);
    expect(plan.map((r) => [r.profile, r.action])).toEqual([['gone', 'send'], ['soon', 'no-address'], ['late', 'send']]);
    expect(planReminders(config({ late: { expiresAt: inDays(25), contact } }), now, 20)).toEqual([]);
  });

  it('not again within 7 days of the last reminder about the same authorization; again after 7 days, or after a renewal', () => {
    const reminded = (daysAgo: number, expiresAt: string) => ({ sentAt: inDays(-daysAgo), to: contact.email, invitation: 'AAAAAAAAAAAAAAAA', expiresAt });
    const expiresAt = inDays(10);
    expect(planReminders(config({ a: { expiresAt, contact, reminded: reminded(6, expiresAt) } }), now, 30)[0]!.action).toBe('reminded');
    expect(planReminders(config({ a: { expiresAt, contact, reminded: reminded(8, expiresAt) } }), now, 30)[0]!.action).toBe('send');
    expect(planReminders(config({ a: { expiresAt, contact, reminded: reminded(1, inDays(-355)) } }), now, 30)[0]!.action).toBe('send');
  });

  it('the pending link is mailed again while it works two more days; else a new one replaces the earlier reminder\'s', () => {
    const reminded = { sentAt: inDays(-8), to: contact.email, invitation: 'OLDLINKOLDLINK00', expiresAt: inDays(10) };
    const reuse = planReminders(config({ a: { expiresAt: inDays(10), contact, reminded } }, { OLDLINKOLDLINK00: invitation('a', 6) }), now, 30)[0]!;
    expect(reuse).toMatchObject({ action: 'send', invitation: { id: 'OLDLINKOLDLINK00' } });
    expect(reuse).not.toHaveProperty('replaces');
    const replace = planReminders(config({ a: { expiresAt: inDays(10), contact, reminded } }, { OLDLINKOLDLINK00: invitation('a', 1) }), now, 30)[0]!;
    expect(replace).toMatchObject({ action: 'send', replaces: 'OLDLINKOLDLINK00' });
    expect(replace).not.toHaveProperty('invitation');
  });
});

describe('the reminder mail', () => {
  const facts = {
    app: 'acme-sync',
    sellingPartnerId: 'A3EXAMPLE12345',
    marketplace: 'DE',
    role: 'seller' as const,
    expiresAt: new Date(inDays(12)),
    daysLeft: 12,
    link: 'https://auth.acme.example/amz-token/i/eyJpIjoi.sig',
    linkExpiresAt: new Date(inDays(14)),
    from: { name: 'Acme <Integrations> & Co', address: 'ops@acme.example' },
  };

  it('says which app, account and marketplace, the expiry and days left, the link, what a click does and who sent it, in text and HTML', () => {
    const mail = reminderMail({ ...facts, language: 'en' });
    const date = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(facts.expiresAt);
    expect(mail.subject).toBe(`Please renew: your Amazon authorization for acme-sync expires on ${date}`);
    for (const part of ['acme-sync', 'A3EXAMPLE12345', 'Amazon Germany (DE)', date, 'in 12 days', facts.link, 'auth.acme.example', 'Amazon Seller Central', 'I authorize', 'Acme <Integrations> & Co', 'ops@acme.example']) {
      expect(mail.text).toContain(part);
    }
    expect(mail.html).toContain(`href="${facts.link}"`);
    expect(mail.html).toContain('Acme &lt;Integrations&gt; &amp; Co');
    expect(mail.html).not.toContain('<Integrations>');
  });

  it('in German for a German profile; an authorization that has lapsed is said to have lapsed', () => {
    const de = reminderMail({ ...facts, language: 'de' });
    expect(de.subject).toMatch(/^Bitte erneuern: Ihre Amazon-Autorisierung für acme-sync läuft am \d+\. \S+ \d{4} ab$/);
    expect(de.text).toContain('Amazon Deutschland (DE)');
    expect(de.text).toContain('in 12 Tagen');
    expect(de.html).toContain('lang="de"');
    const lapsed = reminderMail({ ...facts, language: 'en', daysLeft: -2, expiresAt: new Date(inDays(-2)) });
    expect(lapsed.subject).toMatch(/expired on/);
    expect(lapsed.text).not.toMatch(/in -?\d+ days/);
  });
});

describe('what an SMTP failure says (exit 7)', () => {
  it('a refused login names SMTP, the server and the user, never a password; a dead server says why', () => {
    const login = mailServerError(Object.assign(new Error('Invalid login: 535 Authentication credentials invalid'), { code: 'EAUTH', response: '535 Authentication credentials invalid' }), '127.0.0.1:2465', 'mailer');
    expect(login.exitCode).toBe(7);
    expect(login.fatal).toBe(true);
    expect(login.message).toBe('SMTP server 127.0.0.1:2465 refused the login of mailer (535 Authentication credentials invalid)');
    const dead = mailServerError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), '127.0.0.1:1', 'mailer');
    expect(dead.message).toMatch(/^SMTP server 127\.0\.0\.1:1 cannot be reached \(ECONNREFUSED/);
    const recipient = mailServerError(Object.assign(new Error('Can\'t send mail - all recipients were rejected'), { code: 'EENVELOPE', response: '550 no such user' }), 'h:465', 'mailer');
    expect(recipient.fatal).toBe(false);
  });
});
