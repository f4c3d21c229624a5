// Each of serve's routes as a pure decision: the request's facts, the config
// and the signer go in, an Answer (page or redirect, cookie, log event) comes
// out. server.ts does the HTTP; complete.ts does the exchange and the store.

import type { AppRecord, Config, Role } from '../config/config.js';
import type { InvitationRecord } from '../config/invitations.js';
import type { CallbackQuery } from '../flow/callback-query.js';
import { consentOrigin, consentUrl } from '../amazon/consent.js';
import { amazonCallbackTarget } from '../amazon/central-redirect.js';
import { findMarketplace } from '../amazon/marketplaces.js';
import type { BaseUrl } from './base-url.js';
import { checkInvitation, type InvitationCheck } from './invitations.js';
import { browserHash, expiryIn, sameBrowser, type Signer } from './signing.js';
import type { Page } from './pages.js';

/** A fresh state lives this long: the seller reads the page, signs in and confirms. */
export const STATE_SECONDS = 30 * 60;
/**
 * The browser cookie (invitation, Login URI, and the value every state is bound to): as long as a
 * state, so that it is there when Amazon sends the browser back; gone the next day.
 */
export const COOKIE_SECONDS = 30 * 60;
export const COOKIE_NAME = 'amz_token_invitation';

export interface LogEvent {
  event: string;
  fields?: Record<string, string | number | undefined>;
}

export interface Answer {
  status: number;
  page?: Page;
  location?: string;
  /** A signed cookie value to set, or null to clear it. */
  cookie?: string | null;
  log?: LogEvent;
}

export interface Setup {
  base: BaseUrl;
  signer: Signer;
  /** AMZ_TOKEN_CENTRAL_URL: the double's Central in tests. */
  centralOverride: string | undefined;
  now: Date;
  /** Fresh random text for a state's nonce. */
  nonce: string;
  /** Fresh random text for a browser cookie's value (`b`), should this request set one. */
  browserSecret: string;
}

/** Who a code is for: an invitation, or a profile whose seller started a renewal in Manage Your Apps. */
export interface Exchange {
  invitation?: string;
  kind: InvitationRecord['kind'] | 'manage-your-apps';
  profile: string;
  app: string;
  appRecord: AppRecord;
  marketplace: string;
  role: Role;
  code: string;
  /** The state's nonce: a state is used once. */
  nonce: string;
  sellingPartnerId?: string;
  /** renewal: the seller the profile belongs to (a code for another one is refused). */
  expectedSeller?: string;
}

const dead = (why: 'used' | 'expired' | 'revoked' | 'changed', log: LogEvent): Answer => ({ status: why === 'changed' ? 400 : 410, page: { name: 'dead-link', why }, log });

function refusal(check: Extract<InvitationCheck, { ok: false }>, id: string | undefined, where: string): Answer {
  return dead(check.why, { event: 'invitation-refused', fields: { invitation: id, reason: check.why, route: where } });
}

/** The Central origin of a marketplace and role (AMZ_TOKEN_CENTRAL_URL wins); undefined if it has none. */
function centralFor(marketplaceCode: string, role: Role, override: string | undefined): URL | undefined {
  const marketplace = findMarketplace(marketplaceCode);
  if (!marketplace) return undefined;
  try {
    return new URL(consentOrigin(marketplace, role, override));
  } catch {
    return undefined;
  }
}

/** GET <path>/i/<token>: the landing page with the consent link, and the Login URI cookie. */
export function landing(token: string, config: Config, setup: Setup): Answer {
  const signed = setup.signer.check('invitation', token, setup.now);
  if (!signed.ok) {
    return dead(signed.reason === 'expired' ? 'expired' : 'changed', { event: 'invitation-refused', fields: { reason: signed.reason === 'expired' ? 'expired' : 'changed', route: 'invitation' } });
  }
  const check = checkInvitation(config, signed.claims.i, setup.now);
  if (!check.ok) return refusal(check, signed.claims.i, 'invitation');
  const { id, record } = check;
  const app = config.apps[record.app]!;
  const central = centralFor(record.marketplace, record.role, setup.centralOverride);
  if (!central) return { status: 500, page: { name: 'internal' }, log: { event: 'error', fields: { invitation: id, reason: `no ${record.role} Central for marketplace ${record.marketplace}` } } };
  const state = setup.signer.sign('state', { i: id, n: setup.nonce, h: browserHash(setup.browserSecret), e: expiryIn(setup.now, STATE_SECONDS) });
  const url = consentUrl({ origin: central.origin, applicationId: app.appId, state, redirectUri: `${setup.base.href}/callback`, draft: app.draft });
  const profile = config.profiles[record.profile];
  return {
    status: 200,
    page: {
      name: 'landing',
      app: record.app,
      marketplace: record.marketplace,
      vendor: record.role === 'vendor',
      ...(record.kind === 'renewal' && profile && profile.sellingPartnerId !== 'UNKNOWN' ? { renewalOf: profile.sellingPartnerId } : {}),
      ...(record.kind === 'renewal' && profile?.identity?.storeName ? { storeName: profile.identity.storeName } : {}),
      consentUrl: url,
      expiresAt: record.expiresAt,
    },
    cookie: setup.signer.sign('cookie', { i: id, b: setup.browserSecret, e: expiryIn(setup.now, COOKIE_SECONDS) }),
    log: { event: 'invitation-opened', fields: { invitation: id, profile: record.profile } },
  };
}

/** GET <path>/login: Amazon's Login URI detour, with `amazon_callback_uri` and `amazon_state`. */
export function login(query: CallbackQuery, cookie: string | undefined, config: Config, setup: Setup): Answer {
  if (query.kind !== 'login') return { status: 400, page: { name: 'ask-for-invitation' }, log: { event: 'login-refused', fields: { reason: 'not a Login URI request' } } };
  const fromCookie = setup.signer.check('cookie', cookie, setup.now);
  let claims: { i?: string; p?: string };
  let marketplace: string;
  let role: Role;
  let draft: boolean;
  let logged: LogEvent;
  // The browser's value: kept from its cookie, or a fresh one this answer sets.
  const browser = fromCookie.ok && fromCookie.claims.b !== undefined ? fromCookie.claims.b : setup.browserSecret;
  if (fromCookie.ok && fromCookie.claims.i !== undefined) {
    const check = checkInvitation(config, fromCookie.claims.i, setup.now);
    if (!check.ok) return refusal(check, fromCookie.claims.i, 'login');
    claims = { i: check.id };
    ({ marketplace, role } = check.record);
    draft = config.apps[check.record.app]!.draft;
    logged = { event: 'login-detour', fields: { invitation: check.id, profile: check.record.profile } };
  } else {
    const profile = query.sellingPartnerId === undefined ? undefined : servedProfile(config, query.sellingPartnerId, query.amazonCallbackUri, setup.centralOverride);
    if (!profile) return { status: 403, page: { name: 'ask-for-invitation' }, log: { event: 'login-refused', fields: { reason: 'no invitation in this browser and no profile of this seller' } } };
    const record = config.profiles[profile]!;
    claims = { p: profile };
    ({ marketplace, role } = record);
    draft = config.apps[record.app]!.draft;
    logged = { event: 'login-detour', fields: { profile, via: 'manage-your-apps' } };
  }
  const central = centralFor(marketplace, role, setup.centralOverride);
  const target = central ? amazonCallbackTarget(query.amazonCallbackUri, central) : { ok: false as const, reason: 'no Central for the marketplace' };
  if (!target.ok) return { status: 400, page: { name: 'bad-detour' }, log: { event: 'login-refused', fields: { ...logged.fields, reason: target.reason } } };
  const url = target.url;
  url.searchParams.set('amazon_state', query.amazonState);
  url.searchParams.set('state', setup.signer.sign('state', { ...claims, n: setup.nonce, h: browserHash(browser), e: expiryIn(setup.now, STATE_SECONDS) }));
  if (draft || query.version === 'beta') url.searchParams.set('version', 'beta');
  return { status: 302, location: url.href, cookie: setup.signer.sign('cookie', { ...claims, b: browser, e: expiryIn(setup.now, COOKIE_SECONDS) }), log: logged };
}

/**
 * The one profile a Manage-Your-Apps renewal is for: the seller's, narrowed by the
 * Central host Amazon sends the detour back to when the seller has several.
 */
function servedProfile(config: Config, sellingPartnerId: string, callbackUri: string, override: string | undefined): string | undefined {
  // "UNKNOWN" (or any id of the wrong form) names no seller: such a profile renews only through an invitation.
  if (!/^[A-Z0-9]{6,32}$/.test(sellingPartnerId) || sellingPartnerId === 'UNKNOWN') return undefined;
  const candidates = Object.entries(config.profiles).filter(([, p]) => (p.sellingPartnerId === sellingPartnerId || p.identity?.sellerId === sellingPartnerId) && config.apps[p.app]);
  if (candidates.length <= 1) return candidates[0]?.[0];
  const onHost = candidates.filter(([, p]) => {
    const central = centralFor(p.marketplace, p.role, override);
    return central !== undefined && amazonCallbackTarget(callbackUri, central).ok && new URL(callbackUri, central).host === central.host;
  });
  const regions = new Set(onHost.map(([, p]) => `${p.app}/${p.region}/${p.role}`));
  // The same app, region and role: one authorization, whichever profile stores it.
  return regions.size === 1 ? onHost[0]![0] : undefined;
}

export type CallbackDecision = { proceed: Exchange } | { answer: Answer };

/** GET <path>/callback: everything that can be decided before LWA is asked. */
export function callback(query: CallbackQuery, cookie: string | undefined, config: Config, setup: Setup): CallbackDecision {
  if (query.kind === 'error') return { answer: { status: 400, page: { name: 'amazon-error' }, log: { event: 'callback-refused', fields: { reason: query.reason } } } };
  if (query.kind === 'login') return { answer: { status: 400, page: { name: 'bad-request' }, log: { event: 'callback-refused', fields: { reason: 'a Login URI request at the Redirect URI' } } } };
  const state = setup.signer.check('state', query.state, setup.now);
  if (!state.ok) return { answer: { status: 400, page: { name: 'start-again' }, log: { event: 'callback-refused', fields: { reason: `state ${state.reason}` } } } };
  const { i: id, p: profileName, n: nonce = '' } = state.claims;
  let exchange: Exchange;
  if (id !== undefined) {
    const check = checkInvitation(config, id, setup.now);
    if (!check.ok) return { answer: refusal(check, id, 'callback') };
    const { record } = check;
    const profile = config.profiles[record.profile];
    exchange = {
      invitation: id,
      kind: record.kind,
      profile: record.profile,
      app: record.app,
      appRecord: config.apps[record.app]!,
      marketplace: record.marketplace,
      role: record.role,
      code: query.code,
      nonce,
      ...(record.kind === 'renewal' && profile && profile.sellingPartnerId !== 'UNKNOWN' ? { expectedSeller: profile.sellingPartnerId } : {}),
    };
  } else if (profileName !== undefined && config.profiles[profileName] && config.apps[config.profiles[profileName]!.app]) {
    const profile = config.profiles[profileName]!;
    exchange = {
      kind: 'manage-your-apps',
      profile: profileName,
      app: profile.app,
      appRecord: config.apps[profile.app]!,
      marketplace: profile.marketplace,
      role: profile.role,
      code: query.code,
      nonce,
      ...(profile.sellingPartnerId !== 'UNKNOWN' ? { expectedSeller: profile.sellingPartnerId } : {}),
    };
  } else {
    return { answer: { status: 400, page: { name: 'start-again' }, log: { event: 'callback-refused', fields: { reason: 'the state names nothing served here' } } } };
  }
  // A state counts only in the browser that started it (a lifted consent link comes back without its
  // cookie); checked after the link's own verdict, so that a used link reads "used" anywhere.
  const browser = setup.signer.check('cookie', cookie, setup.now);
  if (state.claims.n === undefined || !sameBrowser(browser.ok ? browser.claims.b : undefined, state.claims.h)) {
    const reason = !browser.ok ? `state without its browser cookie (cookie ${browser.reason === 'malformed' && cookie === undefined ? 'missing' : browser.reason})` : 'state of another browser';
    return { answer: { status: 400, page: { name: 'other-browser' }, log: { event: 'callback-refused', fields: { invitation: state.claims.i, profile: state.claims.p, reason } } } };
  }
  if (query.sellingPartnerId !== undefined) exchange.sellingPartnerId = query.sellingPartnerId;
  // Checked before the code is spent: another seller's code is never exchanged, nothing is stored.
  if (exchange.expectedSeller !== undefined && query.sellingPartnerId !== exchange.expectedSeller) {
    return {
      answer: {
        status: 403,
        page: { name: 'wrong-seller', marketplace: exchange.marketplace },
        log: { event: 'callback-refused', fields: { invitation: exchange.invitation, profile: exchange.profile, reason: query.sellingPartnerId === undefined ? 'the callback names no seller' : 'another seller confirmed' } },
      },
    };
  }
  return { proceed: exchange };
}

/** How the exchange and the store ended, as complete.ts reports it. */
export type Outcome =
  | { kind: 'stored'; sellingPartnerId: string; storeName?: string }
  | { kind: 'code-rejected'; why: string }
  /** Amazon named another seller than the profile's, or could not say: nothing stored. */
  | { kind: 'wrong-seller'; why: string }
  | { kind: 'failed'; why: string }
  | { kind: 'gone'; why: 'used' | 'expired' | 'revoked' | 'changed' };

export function afterExchange(exchange: Exchange, outcome: Outcome, base: BaseUrl): Answer {
  const fields = { invitation: exchange.invitation, profile: exchange.profile };
  switch (outcome.kind) {
    case 'stored':
      return { status: 303, location: `${base.path}/done`, cookie: null, log: { event: 'authorization-stored', fields: { ...fields, kind: exchange.kind, seller: outcome.sellingPartnerId, store: outcome.storeName } } };
    case 'wrong-seller':
      return { status: 403, page: { name: 'wrong-seller', marketplace: exchange.marketplace }, log: { event: 'callback-refused', fields: { ...fields, reason: outcome.why } } };
    case 'code-rejected':
      return { status: 400, page: { name: 'amazon-error' }, log: { event: 'code-rejected', fields: { ...fields, reason: outcome.why } } };
    case 'failed':
      return { status: 503, page: { name: 'try-again' }, log: { event: 'store-failed', fields: { ...fields, reason: outcome.why } } };
    case 'gone':
      return dead(outcome.why, { event: 'invitation-refused', fields: { ...fields, reason: outcome.why, route: 'callback' } });
  }
}
