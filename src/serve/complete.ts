// The callback's side effects, once routes.ts has let a code through: trade it
// at Login with Amazon for a refresh token with the same redirect URI, then
// store it through the one secret-then-config transaction, marking the
// invitation used in the same config write. Whatever fails, the old token and
// the invitation stay as they were, and the outcome says why for the log.

import type { CommandContext } from '../context.js';
import type { Config, ProfileRecord } from '../config/config.js';
import { AmzTokenError } from '../errors.js';
import { accounts } from '../secrets/accounts.js';
import { clientSecretOf } from '../secrets/credentials.js';
import { storeSecretThenConfig } from '../secrets/secret-then-config.js';
import { lwaOptions } from '../amazon/endpoints.js';
import { CodeRejectedError, exchangeCode } from '../amazon/lwa.js';
import { findMarketplace } from '../amazon/marketplaces.js';
import { authorizationExpiry } from '../expiry.js';
import type { BaseUrl } from './base-url.js';
import { checkInvitation } from './invitations.js';
import type { Exchange, Outcome } from './routes.js';

/** The invitation ended between the exchange and the store (revoked, used by a twin request...). */
class InvitationGone extends Error {
  constructor(readonly why: 'used' | 'expired' | 'revoked' | 'changed') {
    super(`the invitation is ${why === 'changed' ? 'no longer valid' : why}`);
  }
}

export async function complete(ctx: CommandContext, exchange: Exchange, base: BaseUrl): Promise<Outcome> {
  let refreshToken: string;
  try {
    const clientSecret = await clientSecretOf(ctx.deps, exchange.app);
    const reply = await exchangeCode(
      { ...lwaOptions(ctx.deps.env), appName: exchange.app },
      { clientId: exchange.appRecord.clientId, clientSecret },
      exchange.code,
      `${base.href}/callback`,
    );
    refreshToken = reply.refreshToken;
  } catch (error) {
    if (error instanceof CodeRejectedError) return { kind: 'code-rejected', why: error.detail };
    return { kind: 'failed', why: reason(error) };
  }
  const now = ctx.deps.now();
  const sellingPartnerId = exchange.sellingPartnerId ?? exchange.expectedSeller ?? 'UNKNOWN';
  try {
    await storeSecretThenConfig(ctx, {
      account: accounts.refreshToken(exchange.profile),
      secret: refreshToken,
      what: `the authorization of ${exchange.profile}`,
      stale: [accounts.accessToken(exchange.profile)],
      change: (latest) => record(latest, exchange, sellingPartnerId, now),
    });
  } catch (error) {
    if (error instanceof InvitationGone) return { kind: 'gone', why: error.why };
    return { kind: 'failed', why: reason(error) };
  }
  return { kind: 'stored', sellingPartnerId };
}

/** The config change, judged again on the latest file under the lock. */
function record(latest: Config, exchange: Exchange, sellingPartnerId: string, now: Date): void {
  const times = { authorizedAt: now.toISOString(), expiresAt: authorizationExpiry(now).toISOString() };
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
    const created: ProfileRecord = { app: exchange.app, region: marketplace.region, marketplace: marketplace.code, role: exchange.role, sellingPartnerId, ...times, ...(contact ? { contact } : {}) };
    latest.profiles[exchange.profile] = created;
    return;
  }
  if (!existing) throw new InvitationGone('changed');
  latest.profiles[exchange.profile] = { ...existing, sellingPartnerId, ...times };
}

/** Why, in one line for the log: our own messages carry no secret; anything else by its code only. */
function reason(error: unknown): string {
  if (error instanceof AmzTokenError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ? `unexpected error (${code})` : 'unexpected error';
}
