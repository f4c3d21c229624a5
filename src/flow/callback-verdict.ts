// The one decision behind both ways a code reaches amz-token: Amazon's redirect
// to the callback server and an address (or code) pasted into the terminal.
// Pure: what arrived and what the flow expects go in, a verdict comes out;
// callback-answers.ts renders it for the browser and for the terminal.

import { parsePasted, type CallbackQuery } from './callback-query.js';
import { statesEqual } from './state.js';
import { amazonCallbackTarget } from '../amazon/central-redirect.js';

export interface CallbackResult {
  code: string;
  sellingPartnerId?: string;
  via: 'callback' | 'paste';
}

/** What the flow is waiting for, and what it has already received. */
export interface Expectation {
  state: string;
  /** The Central origin that served the consent page: where the Login URI detour may continue. */
  central: URL;
  draft: boolean;
  /**
   * renew without --force: a code must name the selling partner it belongs to, or the
   * different-seller guard has nothing to check (a bare code names none).
   */
  sellerMustBeNamed?: boolean;
  /**
   * The latest code received and not set aside, if any. A callback's code is final:
   * nothing else may win after it. A pasted one is on trial until LWA takes it (it may
   * be a stray or cut-short paste), so the seller's own callback is still let in.
   */
  received?: CallbackResult;
  /** The flow has stopped waiting (timeout, Ctrl-C, a code won and is being exchanged). */
  closed?: boolean;
}

export type Verdict =
  /** A valid code: it wins (or, behind a pasted code on trial, is next in line). */
  | { kind: 'accepted'; result: CallbackResult; bare?: true }
  /** The browser reloads (or retries) the callback that already won. */
  | { kind: 'repeat-of-received' }
  | { kind: 'already-received' }
  | { kind: 'not-waiting' }
  /** Amazon's Login URI step: send the browser on to `url`. */
  | { kind: 'login-detour'; url: string }
  | { kind: 'wrong-state' }
  /** Unusable: Amazon's error, a malformed query, a detour to a host that is not Amazon's... */
  | { kind: 'unusable'; reason: string; step: 'callback' | 'login' }
  | { kind: 'nothing-pasted' }
  | { kind: 'not-an-answer'; reason: string };

/** Judges a callback query, whether the browser brought it or the operator pasted it. */
export function judgeQuery(query: CallbackQuery, via: CallbackResult['via'], expected: Expectation): Verdict {
  const { received } = expected;
  if (received !== undefined) {
    const sameAsReceived = via === 'callback' && query.kind === 'code' && statesEqual(query.state, expected.state) && statesEqual(query.code, received.code);
    if (sameAsReceived) return { kind: 'repeat-of-received' };
    // The seller's callback gets in behind a pasted code on trial; everything else is late.
    if (!(via === 'callback' && received.via === 'paste')) return { kind: 'already-received' };
  }
  switch (query.kind) {
    case 'error':
      return { kind: 'unusable', reason: query.reason, step: 'callback' };
    case 'login': {
      const next = loginRedirect(query, expected);
      return next.ok ? { kind: 'login-detour', url: next.url } : { kind: 'unusable', reason: next.reason, step: 'login' };
    }
    case 'code':
      if (!statesEqual(query.state, expected.state)) return { kind: 'wrong-state' };
      if (query.sellingPartnerId === undefined && expected.sellerMustBeNamed) {
        return { kind: 'unusable', reason: "it names no selling partner (selling_partner_id), so amz-token cannot check that it is this profile's; renew --force accepts it", step: 'callback' };
      }
      return { kind: 'accepted', result: { code: query.code, ...(query.sellingPartnerId === undefined ? {} : { sellingPartnerId: query.sellingPartnerId }), via } };
  }
}

/** Judges a line the operator pasted: an address (judged like a callback), a bare code, or neither. */
export function judgePaste(input: string, expected: Expectation): Verdict {
  if (expected.received !== undefined) return { kind: 'already-received' };
  if (expected.closed) return { kind: 'not-waiting' };
  const pasted = parsePasted(input);
  switch (pasted.kind) {
    case 'empty':
      return { kind: 'nothing-pasted' };
    case 'invalid':
      return { kind: 'not-an-answer', reason: pasted.reason };
    case 'code':
      if (expected.sellerMustBeNamed) {
        return {
          kind: 'not-an-answer',
          reason: "renew needs the whole address: a bare code does not name the selling partner, so amz-token cannot check that it is this profile's; paste the whole address the browser ends on (renew --force accepts a bare code)",
        };
      }
      return { kind: 'accepted', result: { code: pasted.code, via: 'paste' }, bare: true };
    case 'url':
      return judgeQuery(pasted.query, 'paste', expected);
  }
}

/**
 * LWA rejected the code the flow tried. A pasted one may be a stray or cut-short paste
 * while the seller's own callback is still on its way: set it aside and wait on (the
 * flow still ends on it once stdin has ended, as a piped code cannot be followed by a
 * better one). A callback's code is Amazon's own answer, and another will not come.
 */
export function afterRejectedCode(tried: CallbackResult): 'keep-waiting' | 'give-up' {
  return tried.via === 'paste' ? 'keep-waiting' : 'give-up';
}

/** Re-exported for older imports; the list lives with the redirect validator. */
export { isAmazonHost } from '../amazon/central-redirect.js';

type LoginRedirect = { ok: true; url: string } | { ok: false; reason: string };

/** Where the Login URI detour continues: amazon_callback_uri plus amazon_state, our state and, for drafts, version=beta. */
function loginRedirect(query: { amazonCallbackUri: string; amazonState: string; version?: string }, expected: Expectation): LoginRedirect {
  const checked = amazonCallbackTarget(query.amazonCallbackUri, expected.central);
  if (!checked.ok) return checked;
  const target = checked.url;
  target.searchParams.set('amazon_state', query.amazonState);
  target.searchParams.set('state', expected.state);
  // Amazon marks a draft app's detour with version=beta itself; echo it even if --draft was forgotten.
  if (expected.draft || query.version === 'beta') target.searchParams.set('version', 'beta');
  return { ok: true, url: target.href };
}
