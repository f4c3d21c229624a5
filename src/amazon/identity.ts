// Who granted a token, as Amazon says it: LWA's replies never name the seller and the
// redirect's selling_partner_id is the browser's word, so serve and renew ask Amazon with
// the token itself (SPAPI.md, "Who granted a token") and compare what it answers.

import { AmazonUnavailableError } from '../errors.js';
import { findMarketplace } from './marketplaces.js';
import { parseJsonObject, retrying, sendToAmazon, TransientFailure } from './http.js';
import { sellerParticipations, type SellersApiOptions } from './sellers.js';

export const FEES_PATH = (asin: string) => `/products/fees/v0/items/${asin}/feesEstimate`;
/** Any ASIN serves: the answer names the caller even when the estimate is a ClientError. */
const ANY_ASIN = 'B000000000';
const FEES_API = 'the Product Fees API';
/** As validate.ts's selling partner id rule: only such a value may reach config.json. */
const SELLER_ID = /^[A-Z0-9]{6,32}$/;
const MAX_STORE_NAME = 200;

/** What Amazon says about a grant's seller; either part may be missing (no Pricing role, a vendor). */
export interface SellerIdentity {
  /** From getMyFeesEstimateForASIN: needs the app's Pricing role. */
  sellerId?: string;
  /** From getMarketplaceParticipations: open to every seller app. */
  storeName?: string;
  /** Country codes the seller participates in, sorted. */
  marketplaces?: string[];
}

export interface IdentityOptions extends SellersApiOptions {
  /** The profile's marketplace: the fees call asks about it. */
  marketplace: string;
}

/**
 * Asks both APIs; a part Amazon refuses or cannot give is left out, never guessed. Transient
 * failures (after retries) throw, so the caller can say "try again" rather than "unknown".
 */
export async function learnIdentity(opts: IdentityOptions, accessToken: string): Promise<SellerIdentity> {
  const [sellerId, participations] = await Promise.all([
    feesSellerId(opts, accessToken),
    sellerParticipations({ ...opts }, accessToken).catch((error: unknown) => {
      if (error instanceof AmazonUnavailableError) throw error;
      return undefined; // 401/403: no store name from this token
    }),
  ]);
  const identity: SellerIdentity = {};
  if (sellerId) identity.sellerId = sellerId;
  const storeName = participations?.storeName ? cleanStoreName(participations.storeName) : undefined;
  if (storeName) identity.storeName = storeName;
  if (participations && participations.codes.length > 0) identity.marketplaces = [...participations.codes].sort();
  return identity;
}

/** Store names are shown on pages and in status: one line, bounded, no control characters. */
export function cleanStoreName(raw: string): string | undefined {
  const flat = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  return flat === '' ? undefined : flat.slice(0, MAX_STORE_NAME);
}

export type IdentityMatch = { same: true; by: 'seller id' | 'store name' } | { same: false; why: string };

/**
 * Whether two identities are the same seller. The seller id decides when both have one;
 * otherwise the store name together with the same set of marketplaces (a name alone can be
 * copied by another seller, the marketplaces too, but a copy of both is what Amazon's
 * open API cannot tell apart, and a mismatch of either refuses). Neither: unknown, refused.
 */
export function compareIdentity(known: SellerIdentity, fresh: SellerIdentity): IdentityMatch {
  if (known.sellerId && fresh.sellerId) {
    return known.sellerId === fresh.sellerId ? { same: true, by: 'seller id' } : { same: false, why: 'another seller confirmed (seller id differs)' };
  }
  if (known.storeName && fresh.storeName && known.marketplaces && fresh.marketplaces) {
    const same = known.storeName === fresh.storeName && known.marketplaces.join(',') === fresh.marketplaces.join(',');
    return same ? { same: true, by: 'store name' } : { same: false, why: 'another seller confirmed (store name or marketplaces differ)' };
  }
  return { same: false, why: "the seller's identity could not be learned from Amazon" };
}

/** Currencies for the fees request; Amazon answers with the seller id whatever the estimate says. */
const CURRENCY: Record<string, string> = {
  US: 'USD', CA: 'CAD', MX: 'MXN', BR: 'BRL', UK: 'GBP', SE: 'SEK', PL: 'PLN', TR: 'TRY', EG: 'EGP', SA: 'SAR', AE: 'AED', IN: 'INR', JP: 'JPY', AU: 'AUD', SG: 'SGD', ZA: 'ZAR',
};

async function feesSellerId(opts: IdentityOptions, accessToken: string): Promise<string | undefined> {
  const marketplace = findMarketplace(opts.marketplace);
  if (!marketplace) return undefined;
  const body = JSON.stringify({
    FeesEstimateRequest: {
      MarketplaceId: marketplace.marketplaceId,
      IsAmazonFulfilled: false,
      PriceToEstimateFees: { ListingPrice: { CurrencyCode: CURRENCY[marketplace.code] ?? 'EUR', Amount: 10 } },
      Identifier: 'amz-token-identity',
    },
  });
  return retrying(FEES_API, { retries: opts.retries, sleep: opts.sleep, stop: opts.stop }, async () => {
    const { status, text } = await sendToAmazon(FEES_API, `${opts.origin}${FEES_PATH(ANY_ASIN)}`, {
      method: 'POST',
      headers: { 'x-amz-access-token': accessToken, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'amz-token (Language=TypeScript)' },
      body,
      timeoutMs: opts.timeoutMs,
      stop: opts.stop,
    });
    if (status === 429 || status >= 500) throw new TransientFailure(`HTTP ${status}`);
    // 403 Unauthorized: the app has no Pricing role. Any other answer without an id: no id.
    if (status !== 200) return undefined;
    const result = (parseJsonObject(text)?.payload as { FeesEstimateResult?: { FeesEstimateIdentifier?: { SellerId?: unknown } } } | undefined)?.FeesEstimateResult;
    const id = result?.FeesEstimateIdentifier?.SellerId;
    return typeof id === 'string' && SELLER_ID.test(id) ? id : undefined;
  });
}
