// End to end, the reminder a seller receives: `amz-token remind` against a real SMTP server on
// loopback (smtp-server, TLS from the first byte, AUTH required), the links opened through
// `serve` behind Debian's nginx with TLS, and one seller renewing through the mailed link in
// Chromium. One rig for the file; the tests run in order and build on each other's reminders.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTestKeyring } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { SELLER, confirmOnDouble, startServeRig, type ServeRig } from '../support/serve-rig.js';
import { proxyTarget, viaProxy } from '../support/nginx-tls.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const DAY_MS = 86_400_000;
let rig: ServeRig;
let smtp: TestSmtpServer;
let p: string;
const tokens: string[] = [];

interface Row {
  profile: string;
  action: string;
  to: string | null;
  language: string | null;
  invitation?: string;
}

beforeAll(async () => {
  requireTestKeyring();
  rig = await startServeRig({ nginx: true, rate: '6000r/m' });
  smtp = await startSmtpServer({ refuse: ['bounce@shop.example'] });
  p = rig.s.prefix;
  // The CLI trusts the test CA as it would trust a mail server's public one.
  rig.s.env.NODE_EXTRA_CA_CERTS = smtp.caFile;
  for (const [key, value] of [['base-url', rig.baseUrl], ['smtp-url', smtp.url], ['mail-from', 'Acme Integrations <ops@acme.example>']]) await cli(['config', 'set', key!, value!], 0);
  await cli(['config', 'set-secret', 'smtp-password'], 0, smtp.password);
  // Dates relative to now: three lapse within 30 days, one was renewed ten days ago.
  await importProfile(`${p}-en`, 'A3ENSELLER0001', 350, ['--email', 'en-seller@shop.example']);
  await importProfile(`${p}-de`, 'A3DESELLER0001', 340, ['--email', 'de-seller@shop.example', '--language', 'de']);
  await importProfile(`${p}-none`, 'A3NOADDRESS001', 345);
  await importProfile(`${p}-fine`, 'A3FINESELLER01', 10, ['--email', 'fine@shop.example']);
});

afterAll(async () => {
  await smtp?.close();
  await rig?.close();
});

async function cli(args: string[], exitCode: number, input?: string) {
  const result = await rig.s.run(args, input === undefined ? {} : { input });
  if (result.exitCode !== exitCode) throw new Error(`amz-token ${args.join(' ')}: exit ${result.exitCode}, expected ${exitCode}\n${String(result.stderr)}`);
  return result;
}

async function importProfile(name: string, seller: string, authorizedDaysAgo: number, contact: string[] = []): Promise<void> {
  const token = rig.double.issueRefreshToken(FAKE.clientId, seller);
  tokens.push(token);
  const authorizedAt = new Date(Date.now() - authorizedDaysAgo * DAY_MS).toISOString().slice(0, 10);
  await cli(['import', '--profile', name, '--app', rig.app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', seller, '--authorized-at', authorizedAt], 0, token);
  if (contact.length) await cli(['profile', 'set', name, ...contact], 0);
}

async function remind(args: string[], exitCode: number): Promise<Row[]> {
  const result = await cli(['remind', '--json', ...args], exitCode);
  return (JSON.parse(String(result.stdout)) as { reminders: Row[] }).reminders;
}

const configJson = () => JSON.parse(readFileSync(join(rig.s.configDir, 'config.json'), 'utf8')) as {
  profiles: Record<string, { reminded?: { sentAt: string; invitation: string } }>;
  invitations?: Record<string, { profile: string; revokedAt?: string; usedAt?: string; expiresAt: string }>;
};
const linkIn = (text: string) => /https:\/\/\S+\/i\/\S+/.exec(text)?.[0];
const mailTo = (address: string) => smtp.messages.filter((m) => m.envelopeTo.includes(address));

describe('amz-token remind, with a real SMTP server and serve behind nginx', () => {
  it('the dry run sends nothing; --send mails each lapsing seller once, in their language, a link that opens their own landing page; a second run sends nothing', async () => {
    const dry = await remind([], 3); // 3: the -none profile lapses and has no address
    expect(dry.map((r) => [r.profile, r.action])).toEqual([
      [`${p}-en`, 'would-send'],
      [`${p}-none`, 'no-address'],
      [`${p}-de`, 'would-send'],
    ]);
    expect(smtp.messages).toHaveLength(0);
    expect(configJson().invitations ?? {}).toEqual({});

    const sent = await remind(['--send'], 3);
    expect(sent.filter((r) => r.action === 'sent').map((r) => r.profile).sort()).toEqual([`${p}-de`, `${p}-en`]);
    expect(smtp.messages).toHaveLength(2);
    const [en] = mailTo('en-seller@shop.example');
    const [de] = mailTo('de-seller@shop.example');
    expect(en!.from?.value[0]).toMatchObject({ name: 'Acme Integrations', address: 'ops@acme.example' });
    expect(en!.subject).toMatch(/^Please renew: your Amazon authorization for .* expires on /);
    expect(en!.text).toContain('A3ENSELLER0001');
    expect(en!.text).toMatch(/in 1[45] days/);
    expect(en!.text).toContain('Sent by Acme Integrations');
    expect(de!.subject).toMatch(/^Bitte erneuern: Ihre Amazon-Autorisierung für .* läuft am /);
    expect(de!.text).toContain('A3DESELLER0001');
    expect(de!.text).toMatch(/in 2[45] Tagen/);
    expect(de!.text).toContain('Amazon Deutschland (DE)');
    for (const mail of [en!, de!]) {
      const link = linkIn(mail.text ?? '')!;
      expect(link.startsWith(`${rig.baseUrl}/i/`)).toBe(true);
      expect(mail.html).toContain(link);
      // Nothing in a mail is a secret: not the SMTP password, the client secret or a refresh token.
      for (const secret of [smtp.password, FAKE.clientSecret, ...tokens]) expect(`${mail.text}${mail.html}`).not.toContain(secret);
    }
    // Each link opens that seller's own landing page, through nginx and serve.
    for (const [mail, seller] of [[en!, 'A3ENSELLER0001'], [de!, 'A3DESELLER0001']] as const) {
      const page = await viaProxy(proxyTarget(rig.nginx!), linkIn(mail.text ?? '')!);
      expect(page.status).toBe(200);
      expect(page.body).toContain(seller);
    }
    const status = JSON.parse(String((await cli(['status', '--json'], 3)).stdout)) as { profiles: Array<{ profile: string; contact?: { email: string }; reminded?: { sentAt: string } }> };
    const enStatus = status.profiles.find((s) => s.profile === `${p}-en`)!;
    expect(enStatus.contact?.email).toBe('en-seller@shop.example');
    expect(Date.now() - Date.parse(enStatus.reminded!.sentAt)).toBeLessThan(5 * 60_000);
    expect((await cli(['status'], 3)).stderr).toMatch(new RegExp(`${p}-en: last reminded .*en-seller@shop.example`));

    const again = await remind(['--send'], 3);
    expect(again.filter((r) => r.action === 'reminded')).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);
  });

  it('a wrong password delivers nothing and records nothing; the next run with the right one delivers', async () => {
    await importProfile(`${p}-late`, 'A3LATESELLER01', 355, ['--email', 'late@shop.example']);
    // A server whose certificate this machine does not trust is refused before the login.
    const attempts = smtp.loginAttempts;
    const untrusted = await rig.s.run(['remind', '--send'], { env: { NODE_EXTRA_CA_CERTS: undefined } });
    expect(untrusted.exitCode).toBe(7);
    expect(String(untrusted.stderr)).toMatch(/SMTP server 127\.0\.0\.1:\d+: TLS failed, the certificate is not accepted/);
    expect(smtp.loginAttempts).toBe(attempts);

    await cli(['config', 'set-secret', 'smtp-password'], 0, 'not the password');
    const refused = await cli(['remind', '--send'], 7);
    expect(String(refused.stderr)).toMatch(/SMTP server 127\.0\.0\.1:\d+ refused the login/);
    expect(String(refused.stderr)).not.toContain('not the password');
    expect(smtp.refusedLogins).toBeGreaterThan(0);
    expect(smtp.messages).toHaveLength(2);
    expect(configJson().profiles[`${p}-late`]!.reminded).toBeUndefined();
    expect(Object.values(configJson().invitations ?? {}).filter((i) => i.profile === `${p}-late`)).toEqual([]);

    // The right password; one address the server refuses fails alone, and is not recorded either.
    await importProfile(`${p}-bounce`, 'A3BOUNCESELLER', 356, ['--email', 'bounce@shop.example']);
    await cli(['config', 'set-secret', 'smtp-password'], 0, smtp.password);
    const result = await cli(['remind', '--send', '--json'], 7);
    const delivered = (JSON.parse(String(result.stdout)) as { reminders: Row[] }).reminders;
    expect(delivered.filter((r) => r.action === 'sent').map((r) => r.profile)).toEqual([`${p}-late`]);
    expect(delivered.find((r) => r.profile === `${p}-bounce`)?.action).toBe('failed');
    expect(String(result.stderr)).toMatch(new RegExp(`${p}-bounce: not sent to bounce@shop\\.example: SMTP server 127\\.0\\.0\\.1:\\d+ refused the message \\(550`));
    expect(mailTo('late@shop.example')).toHaveLength(1);
    expect(configJson().profiles[`${p}-late`]!.reminded).toBeDefined();
    expect(configJson().profiles[`${p}-bounce`]!.reminded).toBeUndefined();
    // Fixed, the next run sends it, with the link made for the failed one (never a second).
    await cli(['profile', 'set', `${p}-bounce`, '--email', 'bounce-fixed@shop.example'], 0);
    expect((await remind(['--send'], 3)).filter((r) => r.action === 'sent').map((r) => r.profile)).toEqual([`${p}-bounce`]);
    expect(mailTo('bounce-fixed@shop.example')).toHaveLength(1);
    expect(Object.values(configJson().invitations ?? {}).filter((i) => i.profile === `${p}-bounce`)).toHaveLength(1);
  });

  it('a seller who renews through the mailed link gets no further mail; one who does not is reminded a week later with the same link', async () => {
    const link = linkIn(mailTo('en-seller@shop.example')[0]!.text ?? '')!;
    const context = await rig.newContext('en-US');
    rig.double.sellingPartnerId = 'A3ENSELLER0001'; // who confirms at the double's Seller Central
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.click('#continue');
      await confirmOnDouble(page, `${rig.baseUrl}/done`);
    } finally {
      rig.double.sellingPartnerId = SELLER;
      await context.close();
    }
    expect(await rig.refreshToken(`${p}-en`)).not.toBe(tokens[0]);
    // The renewal replaced the authorization, not the profile: the address and the last reminder stay.
    expect(configJson().profiles[`${p}-en`]).toMatchObject({ contact: { email: 'en-seller@shop.example', language: 'en' }, reminded: { to: 'en-seller@shop.example' } });
    // A week passes: every reminder is moved eight days back, as the clock would move it.
    const file = join(rig.s.configDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { reminded?: { sentAt: string } }> };
    for (const profile of Object.values(config.profiles)) {
      if (profile.reminded) profile.reminded.sentAt = new Date(Date.parse(profile.reminded.sentAt) - 8 * DAY_MS).toISOString();
    }
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });

    const before = smtp.messages.length;
    const rows = await remind(['--send'], 3);
    expect(rows.some((r) => r.profile === `${p}-en`)).toBe(false); // renewed: out of the window
    expect(smtp.messages.slice(before).flatMap((m) => m.envelopeTo).sort()).toEqual(['bounce-fixed@shop.example', 'de-seller@shop.example', 'late@shop.example']);
    expect(mailTo('en-seller@shop.example')).toHaveLength(1);
    const [first, second] = mailTo('de-seller@shop.example');
    expect(linkIn(second!.text ?? '')).toBe(linkIn(first!.text ?? ''));
    const pending = Object.values(configJson().invitations ?? {}).filter((i) => i.profile === `${p}-de` && !i.usedAt && !i.revokedAt && Date.parse(i.expiresAt) > Date.now());
    expect(pending).toHaveLength(1);
  });

  it('smtp:// to a server that offers no STARTTLS is refused before the password crosses the wire (exit 7)', async () => {
    // 127.0.0.2 is loopback to the kernel, but amz-token exempts only 127.0.0.1, localhost and ::1
    // from STARTTLS: here it stands in for a mail server elsewhere that speaks only in clear.
    const plain = await startSmtpServer({ plain: true, host: '127.0.0.2', user: smtp.user, password: smtp.password });
    try {
      await cli(['config', 'set', 'smtp-url', plain.url], 0);
      await importProfile(`${p}-clear`, 'A3CLEARSELLER1', 357, ['--email', 'clear@shop.example']);
      const refused = await cli(['remind', '--send'], 7);
      expect(String(refused.stderr)).toMatch(/SMTP server 127\.0\.0\.2:\d+.*(TLS|STARTTLS)/);
      expect(plain.loginAttempts).toBe(0);
      expect(plain.messages).toHaveLength(0);
      expect(configJson().profiles[`${p}-clear`]!.reminded).toBeUndefined();
    } finally {
      await cli(['config', 'set', 'smtp-url', smtp.url], 0);
      await plain.close();
    }
  });

  it('a new seller invited with --email keeps the address and language on the profile they become', async () => {
    const profile = `${p}-new`;
    const made = await cli(['invite', '--profile', profile, '--app', rig.app, '--marketplace', 'DE', '--email', 'new@shop.example', '--language', 'de', '--json'], 0);
    const { url } = JSON.parse(String(made.stdout)) as { url: string };
    const context = await rig.newContext('de-DE');
    rig.double.sellingPartnerId = 'A3NEWSELLER001';
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.click('#continue');
      await confirmOnDouble(page, `${rig.baseUrl}/done`);
    } finally {
      rig.double.sellingPartnerId = SELLER;
      await context.close();
    }
    const shown = JSON.parse(String((await cli(['profile', 'show', profile, '--json'], 0)).stdout)) as { sellingPartnerId: string; contact: unknown };
    expect(shown).toMatchObject({ sellingPartnerId: 'A3NEWSELLER001', contact: { email: 'new@shop.example', language: 'de' } });
  });
});
