// The callback's side effects, once routes.ts has let a code through: trade it
// at Login with Amazon for a refresh token with the same redirect URI, ask Amazon
// with the new access token who granted it (never the query: anyone can edit it),
// refuse a renewal by anyone but the profile's seller, then store it through the one
// secret-then-config transaction, marking the invitation used in the same config
// write. Whatever fails, the old token and the invitation stay as they were, and
// the outcome says why for the log. All of it runs within one deadline.

import type { CommandContext } from '../context.js';
import { loadConfig, type Config, type ProfileRecord } from '../config/config.js';
import { recordedIdentity } from '../config/identity.js';
import { replacedProfile, sameSellerRecorded } from '../config/replace-profile.js';
import { AmzTokenError } from '../errors.js';
import { accounts } from '../secrets/accounts.js';
import { clientSecretOf } from '../secrets/credentials.js';
import { storeSecretThenConfig } from '../secrets/secret-then-config.js';
import { lwaOptions } from '../amazon/endpoints.js';
import { CodeRejectedError, exchangeCode } from '../amazon/lwa.js';
import { findMarketplace } from '../amazon/marketplaces.js';
import type { SellerIdentity } from '../amazon/identity.js';
import { authorizationExpiry } from '../expiry.js';
import * as validate from '../validate.js';
import type { BaseUrl } from './base-url.js';
import { checkInvitation } from './invitations.js';
import { grantIdentity, judge, knownIdentity } from '../flow/same-seller.js';
import type { Exchange, Outcome } from './routes.js';

/** The invitation ended between the exchange and the store (revoked, used by a twin request...). */
class InvitationGone extends Error {
  constructor(readonly why: 'used' | 'expired' | 'revoked' | 'changed') {
    super(`the invitation is ${why === 'changed' ? 'no longer valid' : why}`);
  }
}

/**
 * Exchange, identity and the decision must end by `deadline` (an AbortSignal that fires then);
 * the two writes, once started, are not cut short: they are one transaction.
 */
export async function complete(ctx: CommandContext, exchange: Exchange, base: BaseUrl, deadline: AbortSignal): Promise<Outcome> {
  let refreshToken: string;
  let accessToken: string;
  const clientSecret = await clientSecretOf(ctx.deps, exchange.app).catch((error: unknown) => error as Error);
  if (clientSecret instanceof Error) return { kind: 'failed', why: reason(clientSecret) };
  // A renewal's reference, asked of Amazon (when none is recorded) while the code is exchanged.
  const profile = exchange.kind === 'new-seller' ? undefined : (await loadConfig(ctx.deps.configDir).catch(() => undefined))?.profiles[exchange.profile];
  if (exchange.kind !== 'new-seller' && !profile) return { kind: 'gone', why: 'changed' };
  const known = profile ? knownIdentity(ctx, exchange.profile, profile, { clientId: exchange.appRecord.clientId, clientSecret, stop: deadline }) : Promise.resolve(undefined);
  try {
    const reply = await exchangeCode(
      { ...lwaOptions(ctx.deps.env), appName: exchange.app, stop: deadline },
      { clientId: exchange.appRecord.clientId, clientSecret },
      exchange.code,
      `${base.href}/callback`,
    );
    refreshToken = reply.refreshToken;
    accessToken = reply.accessToken;
  } catch (error) {
    if (error instanceof CodeRejectedError) return { kind: 'code-rejected', why: error.detail };
    return { kind: 'failed', why: deadline.aborted ? 'the deadline passed while Login with Amazon answered' : reason(error) };
  }
  let granted: SellerIdentity;
  try {
    granted = await grantIdentity(ctx, exchange, accessToken, deadline);
  } catch (error) {
    return { kind: 'failed', why: deadline.aborted ? 'the deadline passed while Amazon named the seller' : `the seller could not be learned from Amazon: ${reason(error)}` };
  }
  if (profile) {
    const verdict = judge(await known, granted);
    if (!verdict.same) return deadline.aborted ? { kind: 'failed', why: "the deadline passed while the profile's seller was looked up" } : { kind: 'wrong-seller', why: verdict.why };
  }
  if (deadline.aborted) return { kind: 'failed', why: 'the deadline passed before the store' };
  const now = ctx.deps.now();
  const sellingPartnerId = granted.sellerId ?? (exchange.kind === 'new-seller' ? queriedSeller(exchange.sellingPartnerId) : undefined);
  try {
    await storeSecretThenConfig(ctx, {
      account: accounts.refreshToken(exchange.profile),
      secret: refreshToken,
      what: `the authorization of ${exchange.profile}`,
      stale: [accounts.accessToken(exchange.profile)],
      change: (latest) => record(latest, exchange, profile, sellingPartnerId, granted, now),
    });
  } catch (error) {
    if (error instanceof InvitationGone) return { kind: 'gone', why: error.why };
    return { kind: 'failed', why: reason(error) };
  }
  return { kind: 'stored', sellingPartnerId: sellingPartnerId ?? profileSeller(exchange), ...(granted.storeName ? { storeName: granted.storeName } : {}) };
}

/** A new seller's id from the query, only in the form config.json accepts (Amazon gave none). */
function queriedSeller(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return validate.sellingPartnerId(value);
  } catch {
    return undefined;
  }
}

/** A renewal's seller id as the profile has it, when Amazon gave none. */
function profileSeller(exchange: Exchange): string {
  return exchange.expectedSeller ?? 'UNKNOWN';
}

/** The config change, judged again on the latest file under the lock; `judged` is the profile the renewal was checked against. */
function record(latest: Config, exchange: Exchange, judged: ProfileRecord | undefined, sellingPartnerId: string | undefined, granted: SellerIdentity, now: Date): void {
  const identity = recordedIdentity(granted, now);
  const times = { authorizedAt: now.toISOString(), expiresAt: authorizationExpiry(now).toISOString(), ...(identity ? { identity } : {}) };
  let contact: ProfileRecord['contact'];
  if (exchange.invitation !== undefined) {
    const check = checkInvitation(latest, exchange.invitation, now);
    if (!check.ok) throw new InvitationGone(check.why);
    check.record.usedAt = now.toISOString();
    contact = check.record.contact;
  }
  const existing = latest.profiles[exchange.profile];
  if (exchange.kind === 'new-seller') {
    const marketplace = findMarketplace(exchange.marketplace)!;
    // checkInvitation refused a name taken meanwhile, so there is no record to keep anything of.
    const created: ProfileRecord = { app: exchange.app, region: marketplace.region, marketplace: marketplace.code, role: exchange.role, sellingPartnerId: sellingPartnerId ?? 'UNKNOWN', ...times, ...(contact ? { contact } : {}) };
    latest.profiles[exchange.profile] = replacedProfile(existing, created);
    return;
  }
  if (!existing) throw new InvitationGone('changed');
  // The profile changed hands under the lock (another write recorded another seller): refuse.
  if (existing.identity && granted.sellerId && existing.identity.sellerId && existing.identity.sellerId !== granted.sellerId) throw new InvitationGone('changed');
  if (judged && !sameSellerRecorded(existing, judged) && existing.sellingPartnerId !== judged.sellingPartnerId) throw new InvitationGone('changed');
  const renewed = { app: existing.app, region: existing.region, marketplace: existing.marketplace, role: existing.role, sellingPartnerId: sellingPartnerId ?? existing.sellingPartnerId, ...times };
  latest.profiles[exchange.profile] = replacedProfile(existing, renewed);
}

/** Why, in one line for the log: our own messages carry no secret; anything else by its code only. */
function reason(error: unknown): string {
  if (error instanceof AmzTokenError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ? `unexpected error (${code})` : 'unexpected error';
}
