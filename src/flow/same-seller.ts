// Whether a new grant comes from the profile's own seller, as Amazon says it: serve's
// callbacks and `renew` at the terminal store a renewal only when this says "same".
// The profile's recorded identity is the reference; a profile without one is asked
// about through its current token, and when that tells nothing (expired, revoked) its
// selling partner id stands in, matched only by the seller id Amazon names for the new
// grant. Whatever cannot be learned counts as a mismatch.

import type { CommandContext } from '../context.js';
import type { ProfileRecord } from '../config/config.js';
import { accounts } from '../secrets/accounts.js';
import { HTTP_RETRIES, httpTimeoutMs, lwaOptions, spApiOriginFor } from '../amazon/endpoints.js';
import { compareIdentity, learnIdentity, type IdentityMatch, type SellerIdentity } from '../amazon/identity.js';
import { refreshAccessToken } from '../amazon/lwa.js';
import { findMarketplace } from '../amazon/marketplaces.js';
import * as validate from '../validate.js';

export interface GrantTarget {
  profile: string;
  app: string;
  marketplace: string;
}

/** What Amazon says about the seller behind `accessToken`. Throws when Amazon cannot be reached. */
export function grantIdentity(ctx: CommandContext, target: GrantTarget, accessToken: string, stop?: AbortSignal): Promise<SellerIdentity> {
  const marketplace = findMarketplace(target.marketplace);
  if (!marketplace) return Promise.resolve({});
  return learnIdentity(
    {
      origin: spApiOriginFor(ctx.deps.env, marketplace.region),
      marketplace: marketplace.code,
      timeoutMs: httpTimeoutMs(ctx.deps.env),
      retries: HTTP_RETRIES,
      profile: target.profile,
      app: target.app,
      ...(stop ? { stop } : {}),
    },
    accessToken,
  );
}

/**
 * The verdict on a renewal of `profileName` by the seller Amazon named `granted`, against `known`
 * (from knownIdentity). Unknown on either side is a mismatch.
 */
export function judge(known: SellerIdentity | undefined, granted: SellerIdentity): IdentityMatch {
  if (!known) return { same: false, why: "the profile's seller could not be learned (no identity recorded, and its current token did not tell)" };
  return compareIdentity(known, granted);
}

/** The profile's seller: its recorded identity, or else what its current token tells Amazon; undefined when neither. */
export async function knownIdentity(
  ctx: CommandContext,
  profileName: string,
  profile: ProfileRecord,
  options: { clientId: string; clientSecret: string; stop?: AbortSignal },
): Promise<SellerIdentity | undefined> {
  if (profile.identity) return profile.identity;
  const fromToken = await currentTokenIdentity(ctx, profileName, profile, options);
  if (fromToken?.sellerId || fromToken?.storeName) return fromToken;
  return sellerIdOnRecord(profile);
}

async function currentTokenIdentity(
  ctx: CommandContext,
  profileName: string,
  profile: ProfileRecord,
  options: { clientId: string; clientSecret: string; stop?: AbortSignal },
): Promise<SellerIdentity | undefined> {
  try {
    const current = await (await ctx.deps.secretStore()).get(accounts.refreshToken(profileName));
    if (!current) return undefined;
    const reply = await refreshAccessToken(
      { ...lwaOptions(ctx.deps.env), appName: profile.app, ...(options.stop ? { stop: options.stop } : {}) },
      { clientId: options.clientId, clientSecret: options.clientSecret },
      current,
    );
    return await grantIdentity(ctx, { profile: profileName, app: profile.app, marketplace: profile.marketplace }, reply.accessToken, options.stop);
  } catch {
    return undefined; // a revoked or unreadable current token tells nothing
  }
}

/**
 * A profile made before identities were recorded, whose grant has lapsed (the usual case for a
 * renewal): the selling partner id it was authorized with. As a seller id alone it matches only
 * the seller id Amazon names for the new grant (Fees API), never a store name or the query's id,
 * so an edited callback cannot pass for it. UNKNOWN or a malformed id tells nothing.
 */
export function sellerIdOnRecord(profile: Pick<ProfileRecord, 'sellingPartnerId'>): SellerIdentity | undefined {
  const id = profile.sellingPartnerId;
  if (id === 'UNKNOWN') return undefined;
  try {
    return { sellerId: validate.sellingPartnerId(id) };
  } catch {
    return undefined;
  }
}

/** knownIdentity, then judge: for `renew` at the terminal. */
export async function sameSeller(
  ctx: CommandContext,
  profileName: string,
  profile: ProfileRecord,
  granted: SellerIdentity,
  options: { clientId: string; clientSecret: string; stop?: AbortSignal },
): Promise<IdentityMatch> {
  return judge(await knownIdentity(ctx, profileName, profile, options), granted);
}
