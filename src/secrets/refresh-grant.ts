// The refresh-token grant: trades a profile's refresh token for a fresh access
// token at LWA (what `status --check` proves). Loads the HTTP client: import it
// lazily from anything on a hot path (see access-token.ts).

import { AuthorizationExpiredError } from '../errors.js';
import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { findApp, findProfile } from '../config/lookup.js';
import { refreshAccessToken, RefreshTokenRejectedError, type LwaOptions } from '../amazon/lwa.js';
import { clientSecretOf, refreshTokenOf } from './credentials.js';

export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
}

export interface GrantOptions {
  lwa: Omit<LwaOptions, 'appName'>;
  /** Defaults to clientSecretOf; live checks pass one that reads each app's secret once. */
  clientSecret?: (app: string) => Promise<string>;
}

/** Trades the profile's refresh token for a fresh access token. Caches nothing. */
export async function refreshGrant(deps: Deps, config: Config, profile: string, opts: GrantOptions): Promise<AccessToken> {
  const record = findProfile(config, profile);
  const app = findApp(config, record.app);
  const refreshToken = await refreshTokenOf(deps, profile);
  const clientSecret = await (opts.clientSecret ?? ((name: string) => clientSecretOf(deps, name)))(record.app);
  try {
    const reply = await refreshAccessToken({ ...opts.lwa, appName: record.app }, { clientId: app.clientId, clientSecret }, refreshToken);
    return { accessToken: reply.accessToken, expiresAt: new Date(deps.now().getTime() + reply.expiresIn * 1000) };
  } catch (error) {
    // The CI override, not the stored authorization, was what Amazon refused: renewing the profile would not help.
    if (error instanceof RefreshTokenRejectedError && deps.env.AMZ_TOKEN_REFRESH_TOKEN?.trim()) {
      throw new AuthorizationExpiredError(
        `Amazon rejected the refresh token in AMZ_TOKEN_REFRESH_TOKEN (${error.detail}); the one stored for profile ${profile} was not used`,
        'set AMZ_TOKEN_REFRESH_TOKEN to a current refresh token of this app, or unset it to use the stored one',
      );
    }
    if (error instanceof AuthorizationExpiredError && !error.hint) {
      throw new AuthorizationExpiredError(error.message, `the seller must renew it: amz-token renew --profile ${profile}`);
    }
    throw error;
  }
}
