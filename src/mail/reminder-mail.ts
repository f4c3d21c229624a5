// The reminder a seller receives (`amz-token remind --send`), in the profile's language: which
// app, account and marketplace, when the authorization lapses and how many days are left, the
// renewal link, what happens on click, and who sent it. Plain text and HTML alike; nothing in it
// is a secret (the link works once, for one renewal of this seller's own authorization).

import type { Language } from '../config/contact.js';
import { findMarketplace } from '../amazon/marketplaces.js';

export interface ReminderFacts {
  language: Language;
  app: string;
  sellingPartnerId: string;
  marketplace: string;
  role: 'seller' | 'vendor';
  /** The authorization's expiry. */
  expiresAt: Date;
  daysLeft: number;
  link: string;
  linkExpiresAt: Date;
  /** Whom the mail is from (mail-from): its name, else its address, signs the mail. */
  from: { name?: string; address: string };
}

export interface ReminderMail {
  subject: string;
  text: string;
  html: string;
}

interface Words {
  subject(f: Facts): string;
  greeting: string;
  lapse(f: Facts): string;
  stops(f: Facts): string;
  renew: string;
  button: string;
  steps(f: Facts): string[];
  linkNote(f: Facts): string;
  doubt(f: Facts): string;
  sentBy(f: Facts): string;
}

type Facts = ReminderFacts & { date: string; linkDate: string; where: string; central: string; host: string; signer: string };

const WORDS: Record<Language, Words> = {
  en: {
    subject: (f) => (f.daysLeft > 0 ? `Please renew: your Amazon authorization for ${f.app} expires on ${f.date}` : `Please renew: your Amazon authorization for ${f.app} expired on ${f.date}`),
    greeting: 'Hello,',
    lapse: (f) =>
      f.daysLeft > 0
        ? `The authorization your Amazon account ${f.sellingPartnerId} gave the app ${f.app} for ${f.where} expires on ${f.date}, in ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}.`
        : `The authorization your Amazon account ${f.sellingPartnerId} gave the app ${f.app} for ${f.where} expired on ${f.date}.`,
    stops: (f) => `Amazon ends such an authorization one year after it was given. Without it, ${f.app} can no longer work with your account (for example, sync prices and stock or import orders).`,
    renew: 'To renew it, open this link:',
    button: 'Renew the authorization',
    steps: (f) => [
      `A page at ${f.host} names the app and the marketplace and takes you on to ${f.central}.`,
      `Sign in with your Amazon account as usual, tick "I authorize" and press Confirm.`,
      'That is all: nobody asks you for a password, a payment or any other data on our side.',
    ],
    linkNote: (f) => `The link works once, until ${f.linkDate}. If it has expired, reply to this mail for a new one.`,
    doubt: (f) => `If you did not expect this mail, do not click; reply to ${f.from.address} instead.`,
    sentBy: (f) => `Sent by ${f.signer} with amz-token.`,
  },
  de: {
    subject: (f) => (f.daysLeft > 0 ? `Bitte erneuern: Ihre Amazon-Autorisierung für ${f.app} läuft am ${f.date} ab` : `Bitte erneuern: Ihre Amazon-Autorisierung für ${f.app} ist am ${f.date} abgelaufen`),
    greeting: 'Guten Tag,',
    lapse: (f) =>
      f.daysLeft > 0
        ? `die Autorisierung, die Ihr Amazon-Konto ${f.sellingPartnerId} der App ${f.app} für ${f.where} erteilt hat, läuft am ${f.date} ab, in ${f.daysLeft} ${f.daysLeft === 1 ? 'Tag' : 'Tagen'}.`
        : `die Autorisierung, die Ihr Amazon-Konto ${f.sellingPartnerId} der App ${f.app} für ${f.where} erteilt hat, ist am ${f.date} abgelaufen.`,
    stops: (f) => `Amazon beendet eine solche Autorisierung ein Jahr nach ihrer Erteilung. Ohne sie kann ${f.app} nicht mehr mit Ihrem Konto arbeiten (zum Beispiel Preise und Bestände abgleichen oder Bestellungen übernehmen).`,
    renew: 'Zum Erneuern öffnen Sie bitte diesen Link:',
    button: 'Autorisierung erneuern',
    steps: (f) => [
      `Eine Seite auf ${f.host} nennt die App und den Marktplatz und führt Sie weiter zu ${f.central}.`,
      'Melden Sie sich wie gewohnt mit Ihrem Amazon-Konto an, setzen Sie das Häkchen bei „Ich autorisiere“ und klicken Sie auf „Bestätigen“.',
      'Das ist alles: Wir fragen weder nach einem Passwort noch nach einer Zahlung oder anderen Daten.',
    ],
    linkNote: (f) => `Der Link funktioniert einmal, bis zum ${f.linkDate}. Ist er abgelaufen, antworten Sie auf diese Mail, und Sie erhalten einen neuen.`,
    doubt: (f) => `Wenn Sie diese Mail nicht erwartet haben, klicken Sie bitte nicht, sondern antworten Sie an ${f.from.address}.`,
    sentBy: (f) => `Gesendet von ${f.signer} mit amz-token.`,
  },
};

const LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE' };

export function reminderMail(facts: ReminderFacts): ReminderMail {
  const locale = LOCALES[facts.language];
  const day = (date: Date) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  const f: Facts = {
    ...facts,
    date: day(facts.expiresAt),
    linkDate: day(facts.linkExpiresAt),
    where: `${marketplaceName(facts.marketplace, locale)} (${facts.marketplace})`,
    central: facts.role === 'vendor' ? 'Amazon Vendor Central' : 'Amazon Seller Central',
    host: new URL(facts.link).host,
    signer: facts.from.name ?? facts.from.address,
  };
  const w = WORDS[facts.language];
  const steps = w.steps(f);
  const text = [
    w.greeting,
    '',
    w.lapse(f),
    w.stops(f),
    '',
    w.renew,
    facts.link,
    '',
    ...steps.map((step, i) => `${i + 1}. ${step}`),
    '',
    w.linkNote(f),
    w.doubt(f),
    '',
    `-- `,
    w.sentBy(f),
    '',
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${facts.language}"><head><meta charset="utf-8"><title>${e(w.subject(f))}</title></head>
<body style="font-family:sans-serif;line-height:1.5;max-width:40em">
<p>${e(w.greeting)}</p>
<p>${e(w.lapse(f))} ${e(w.stops(f))}</p>
<p>${e(w.renew)}</p>
<p><a href="${e(facts.link)}" style="display:inline-block;padding:.6em 1.2em;background:#1a4d8f;color:#fff;text-decoration:none;border-radius:4px">${e(w.button)}</a></p>
<p style="font-size:90%;word-break:break-all">${e(facts.link)}</p>
<ol>${steps.map((step) => `<li>${e(step)}</li>`).join('')}</ol>
<p>${e(w.linkNote(f))}<br>${e(w.doubt(f))}</p>
<p style="color:#555;font-size:90%">${e(w.sentBy(f))}</p>
</body></html>
`;
  return { subject: w.subject(f), text, html };
}

function marketplaceName(code: string, locale: string): string {
  // Amazon writes UK where ISO has GB.
  try {
    const name = new Intl.DisplayNames([locale], { type: 'region' }).of(code === 'UK' ? 'GB' : code);
    if (name && name !== code) return `Amazon ${name}`;
  } catch {
    // An unknown code: the English name below.
  }
  return `Amazon ${findMarketplace(code)?.name ?? code}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
