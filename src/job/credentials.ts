// What `exec` and `env` hand over, read once for both: the profile, an access
// token with enough time left (cached, or minted and cached), and with
// --lwa-credentials the long-lived client secret and refresh token.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig, type CommandContext } from '../context.js';
import { findApp, findProfile } from '../config/lookup.js';
import { recordedExpiryNotice } from '../expiry.js';
import { lwaOptions, spApiOriginFor } from '../amazon/endpoints.js';
import { clientSecretOf, refreshTokenOf } from '../secrets/credentials.js';
import type { JobCredentials } from './variables.js';

export interface JobCredentialOptions {
  profile: string;
  /** Hand over an access token with at least this many minutes left. */
  minTtlMinutes: number;
  /** Also hand over the client id, client secret and refresh token. */
  lwaCredentials: boolean;
}

/** Reads everything or throws the error `token` would (4, 5, 7, 8, 9): nothing is handed over half. */
export async function jobCredentials(ctx: CommandContext, opts: JobCredentialOptions): Promise<JobCredentials> {
  const config = await readConfig(ctx);
  const record = findProfile(config, opts.profile);
  // Read before any keychain or network step: a malformed override is a usage error, not a failed job.
  const lwa = lwaOptions(ctx.deps.env);
  const endpoint = spApiOriginFor(ctx.deps.env, record.region);
  const { cachedAccessToken } = await import('../secrets/access-token.js');
  const token = await cachedAccessToken(ctx.deps, config, opts.profile, {
    lwa,
    warn: (line) => ctx.out.warn(line),
    minRemainingMs: opts.minTtlMinutes * 60_000,
  });
  const notice = recordedExpiryNotice(opts.profile, new Date(record.expiresAt), ctx.deps.now());
  if (notice) ctx.out.info(notice);

  const credentials: JobCredentials = { profile: opts.profile, record, accessToken: token.accessToken, expiresAt: token.expiresAt, endpoint };
  if (!opts.lwaCredentials) return credentials;
  const app = findApp(config, record.app);
  credentials.lwa = { clientId: app.clientId, clientSecret: await clientSecretOf(ctx.deps, record.app), refreshToken: await refreshTokenOf(ctx.deps, opts.profile) };
  warnOfAmazonSpApiCredentialsFile(ctx);
  return credentials;
}

/**
 * amazon-sp-api reads its client id and secret from ~/.amzspapi/credentials
 * when that file exists, and then ignores the environment: a job would use
 * another app's credentials than the ones handed over, and fail or mislead.
 */
function warnOfAmazonSpApiCredentialsFile(ctx: CommandContext): void {
  const home = ctx.deps.env.HOME;
  if (!home) return;
  const file = join(home, '.amzspapi', 'credentials');
  if (existsSync(file)) {
    ctx.out.warn(`warning: ${file} exists: amazon-sp-api reads the app's credentials from it and ignores SELLING_PARTNER_APP_CLIENT_ID/SECRET`);
  }
}
