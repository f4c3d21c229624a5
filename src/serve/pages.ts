// The pages serve shows a seller, in English or German (Accept-Language).
// Small inline templates: every value is escaped, nothing external is loaded
// (the CSP allows inline style only), and no page quotes what a request sent.

import { escapeHtml, PAGE_STYLE } from '../flow/pages.js';

export type Language = 'en' | 'de';

/** What a route decided to show; `render` turns it into HTML in the seller's language. */
export type Page =
  | { name: 'landing'; app: string; marketplace: string; vendor: boolean; renewalOf?: string; storeName?: string; consentUrl: string; expiresAt: string }
  | { name: 'done' }
  /** A link that is used, expired, revoked, changed or unknown: ask for a new one. */
  | { name: 'dead-link'; why: 'used' | 'expired' | 'revoked' | 'changed' }
  /** The state is expired or not ours: start again from the link. */
  | { name: 'start-again' }
  | { name: 'wrong-seller'; marketplace: string }
  | { name: 'try-again' }
  | { name: 'amazon-error' }
  /** A state came back without the cookie of the browser that started it. */
  | { name: 'other-browser' }
  | { name: 'ask-for-invitation' }
  | { name: 'bad-detour' }
  | { name: 'too-many' }
  | { name: 'not-found' }
  | { name: 'bad-request' }
  | { name: 'internal' };

/** The first of en/de the browser asks for, by q-value; English otherwise. */
export function chooseLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'en';
  const wanted = acceptLanguage
    .slice(0, 512)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of wanted) {
    if (tag === 'de' || tag.startsWith('de-')) return 'de';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

interface Text {
  title: string;
  paragraphs: string[];
  /** A link to follow (the consent page). */
  action?: { label: string; href: string };
}

const ASK_EN = 'Please ask your service provider for a new link.';
const ASK_DE = 'Bitte fordern Sie bei Ihrem Dienstleister einen neuen Link an.';

function text(page: Page, lang: Language): Text {
  const de = lang === 'de';
  switch (page.name) {
    case 'landing': {
      const central = page.vendor ? 'Vendor Central' : 'Seller Central';
      const date = new Date(page.expiresAt).toISOString().slice(0, 10);
      return de
        ? {
            title: `Autorisierung für ${page.app}`,
            paragraphs: [
              `Die Anwendung „${page.app}“ bittet um Zugriff auf Ihr Amazon-Konto für den Marktplatz ${page.marketplace}${page.storeName ? ` für das Konto von ${page.storeName}` : ''}${page.renewalOf ? ` (Verkäufer-ID ${page.renewalOf})` : ''}.`,
              `Über die Schaltfläche gelangen Sie zu ${central}. Melden Sie sich dort an, setzen Sie das Häkchen bei „Ich autorisiere“ und bestätigen Sie. Danach kommen Sie hierher zurück.`,
              `Dieser Link gilt einmal, bis zum ${date}.`,
            ],
            action: { label: `Weiter zu ${central}`, href: page.consentUrl },
          }
        : {
            title: `Authorize ${page.app}`,
            paragraphs: [
              `The app "${page.app}" asks for access to your Amazon account for marketplace ${page.marketplace}${page.storeName ? `, for the account of ${page.storeName}` : ''}${page.renewalOf ? ` (seller ID ${page.renewalOf})` : ''}.`,
              `The button takes you to ${central}. Sign in there, tick "I authorize" and confirm. You then come back here.`,
              `This link works once, until ${date}.`,
            ],
            action: { label: `Continue to ${central}`, href: page.consentUrl },
          };
    }
    case 'done':
      return de
        ? { title: 'Autorisierung erhalten', paragraphs: ['Vielen Dank. Sie können dieses Fenster jetzt schließen.'] }
        : { title: 'Authorization received', paragraphs: ['Thank you. You may close this window.'] };
    case 'dead-link': {
      const why = {
        used: de ? 'Dieser Link wurde bereits verwendet.' : 'This link has already been used.',
        expired: de ? 'Dieser Link ist abgelaufen.' : 'This link has expired.',
        revoked: de ? 'Dieser Link wurde zurückgezogen.' : 'This link has been withdrawn.',
        changed: de ? 'Dieser Link ist ungültig oder unvollständig.' : 'This link is not valid, or not complete.',
      }[page.why];
      return de
        ? { title: 'Link nicht mehr gültig', paragraphs: [why, ASK_DE] }
        : { title: 'This link no longer works', paragraphs: [why, ASK_EN] };
    }
    case 'start-again':
      return de
        ? { title: 'Bitte neu beginnen', paragraphs: ['Diese Bestätigung hat zu lange gedauert oder die Adresse wurde verändert. Öffnen Sie Ihren Einladungslink erneut.'] }
        : { title: 'Please start again', paragraphs: ['This confirmation took too long, or its address was changed. Open your invitation link again.'] };
    case 'wrong-seller':
      return de
        ? {
            title: 'Anderes Konto',
            paragraphs: [
              `Sie haben mit einem anderen Amazon-Konto bestätigt als dem, für das diese Einladung gilt (Marktplatz ${page.marketplace}). Es wurde nichts gespeichert.`,
              'Melden Sie sich mit dem Konto an, für das die Einladung gilt, und öffnen Sie denselben Link erneut.',
            ],
          }
        : {
            title: 'A different account',
            paragraphs: [
              `You confirmed with a different Amazon account from the one this invitation is for (marketplace ${page.marketplace}). Nothing was stored.`,
              'Sign in with the account the invitation is for, and open the same link again.',
            ],
          };
    case 'try-again':
      return de
        ? { title: 'Bitte später erneut versuchen', paragraphs: ['Ihre Bestätigung konnte gerade nicht gespeichert werden.', 'Bitte versuchen Sie es in ein paar Minuten mit demselben Link erneut.'] }
        : { title: 'Please try again later', paragraphs: ['Your confirmation could not be stored just now.', 'Please try again in a few minutes with the same link.'] };
    case 'amazon-error':
      return de
        ? { title: 'Nicht abgeschlossen', paragraphs: ['Amazon hat die Autorisierung nicht abgeschlossen. Öffnen Sie Ihren Einladungslink erneut, um es noch einmal zu versuchen.'] }
        : { title: 'Not completed', paragraphs: ['Amazon did not complete the authorization. Open your invitation link again to retry.'] };
    case 'other-browser':
      return de
        ? {
            title: 'Bitte im selben Browser abschließen',
            paragraphs: [
              'Diese Bestätigung kam in einem anderen Browser an als dem, in dem sie begonnen wurde, oder der Browser hat Cookies dieser Seite gesperrt. Es wurde nichts gespeichert.',
              'Öffnen Sie Ihren Einladungslink erneut (oder beginnen Sie die Verlängerung in Seller Central erneut), und bestätigen Sie bei Amazon im selben Browser.',
            ],
          }
        : {
            title: 'Please finish in the same browser',
            paragraphs: [
              'This confirmation arrived in a different browser from the one it started in, or the browser blocked this site’s cookies. Nothing was stored.',
              'Open your invitation link again (or start the renewal in Seller Central again), and confirm at Amazon in the same browser.',
            ],
          };
    case 'ask-for-invitation':
      return de
        ? { title: 'Einladung erforderlich', paragraphs: ['Diese Autorisierung braucht einen Einladungslink.', 'Bitte fordern Sie bei Ihrem Dienstleister einen Einladungslink an.'] }
        : { title: 'An invitation is needed', paragraphs: ['This authorization needs an invitation link.', 'Please ask your service provider for an invitation link.'] };
    case 'bad-detour':
      return de
        ? { title: 'Unerwartete Weiterleitung', paragraphs: ['Die Adresse, zu der Amazon zurückleiten wollte, ist keine Adresse von Amazon. Öffnen Sie Ihren Einladungslink erneut.'] }
        : { title: 'Unexpected address', paragraphs: ['The address Amazon asked us to send you back to is not one of Amazon’s. Open your invitation link again.'] };
    case 'too-many':
      return de
        ? { title: 'Zu viele Versuche', paragraphs: ['Von Ihrer Verbindung kamen zu viele Versuche. Bitte warten Sie zehn Minuten.'] }
        : { title: 'Too many attempts', paragraphs: ['Too many attempts came from your connection. Please wait ten minutes.'] };
    case 'not-found':
      return de ? { title: 'Nicht gefunden', paragraphs: ['Diese Adresse gibt es hier nicht.'] } : { title: 'Not found', paragraphs: ['There is nothing at this address.'] };
    case 'bad-request':
      return de ? { title: 'Ungültige Anfrage', paragraphs: ['Diese Anfrage kann nicht beantwortet werden.'] } : { title: 'Bad request', paragraphs: ['This request cannot be answered.'] };
    case 'internal':
      return de
        ? { title: 'Interner Fehler', paragraphs: ['Etwas ist schiefgegangen. Bitte versuchen Sie es in ein paar Minuten erneut.'] }
        : { title: 'Internal error', paragraphs: ['Something went wrong. Please try again in a few minutes.'] };
  }
}

export function render(page: Page, lang: Language): string {
  const { title, paragraphs, action } = text(page, lang);
  const body = paragraphs.map((p) => `    <p>${escapeHtml(p)}</p>`).join('\n');
  const link = action ? `\n    <p><a class="button" id="continue" href="${escapeHtml(action.href)}" rel="noreferrer">${escapeHtml(action.label)}</a></p>` : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)}</title>
  <style>${PAGE_STYLE}
  .button { display: inline-block; padding: 0.6rem 1.2rem; border-radius: 0.4rem; background: #146eb4; color: #fff; text-decoration: none; }
  </style>
</head>
<body>
  <main>
    <h1>${escapeHtml(title)}</h1>
${body}${link}
  </main>
</body>
</html>
`;
}
