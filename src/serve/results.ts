// Where a callback ends when it does not succeed: its page answer becomes a 303
// to <path>/result/<slug>, which shows that page with its status. The callback
// never shows a page itself, so its code, state and seller id leave the address bar.

import { findMarketplace } from '../amazon/marketplaces.js';
import type { BaseUrl } from './base-url.js';
import type { Page } from './pages.js';
import type { Answer } from './routes.js';

const RESULTS: Record<string, { status: number; page: Page }> = {
  'start-again': { status: 400, page: { name: 'start-again' } },
  'amazon-error': { status: 400, page: { name: 'amazon-error' } },
  'try-again': { status: 503, page: { name: 'try-again' } },
  'other-browser': { status: 400, page: { name: 'other-browser' } },
  'bad-request': { status: 400, page: { name: 'bad-request' } },
  used: { status: 410, page: { name: 'dead-link', why: 'used' } },
  expired: { status: 410, page: { name: 'dead-link', why: 'expired' } },
  revoked: { status: 410, page: { name: 'dead-link', why: 'revoked' } },
  changed: { status: 400, page: { name: 'dead-link', why: 'changed' } },
};

/** A callback's page answer as a 303 to <path>/result/<slug>; a redirect stays as it is. */
export function awayFromCode(answer: Answer, base: BaseUrl): Answer {
  if (!answer.page) return answer;
  const page = answer.page;
  const slug = page.name === 'dead-link' ? page.why : page.name;
  const query = page.name === 'wrong-seller' ? `?m=${encodeURIComponent(page.marketplace)}` : '';
  return { ...answer, status: 303, location: `${base.path}/result/${slug}${query}` };
}

/** GET <path>/result/<slug>: the page a callback ended on, with its status. */
export function result(slug: string, search: URLSearchParams): Answer {
  if (slug === 'wrong-seller') {
    const marketplace = findMarketplace(search.get('m') ?? '')?.code;
    return marketplace ? { status: 403, page: { name: 'wrong-seller', marketplace } } : { status: 404, page: { name: 'not-found' } };
  }
  return Object.hasOwn(RESULTS, slug) ? RESULTS[slug]! : { status: 404, page: { name: 'not-found' } };
}
