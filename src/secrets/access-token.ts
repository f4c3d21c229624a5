// A profile's access token: a refresh-token grant at LWA (what `status --check`
// proves), and the keychain cache that `token` reuses while it has time left.

import { AuthorizationExpiredError } from '../errors.js';
import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { findApp, findProfile } from '../config/lookup.js';
import { refreshAccessToken, type LwaOptions } from '../amazon/lwa.js';
import { clientSecretOf, refreshTokenOf } from './credentials.js';
import { accounts } from './accounts.js';

export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
}

/** A cached token is handed out only while more than this remains: enough for the caller's next calls. */
export const REUSE_MARGIN_MS = 5 * 60 * 1000;

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
    if (error instanceof AuthorizationExpiredError && !error.hint) {
      throw new AuthorizationExpiredError(error.message, `the seller must renew it: amz-token renew --profile ${profile}`);
    }
    throw error;
  }
}

/**
 * The cached access token while more than REUSE_MARGIN_MS remain, else a
 * fresh one, stored for next time. With AMZ_TOKEN_REFRESH_TOKEN set (CI, maybe
 * without any keychain) it neither reads nor writes the cache.
 */
export async function cachedAccessToken(
  deps: Deps,
  config: Config,
  profile: string,
  opts: GrantOptions & { warn: (line: string) => void },
): Promise<AccessToken> {
  if (deps.env.AMZ_TOKEN_REFRESH_TOKEN?.trim()) return refreshGrant(deps, config, profile, opts);
  findProfile(config, profile);
  const store = await deps.secretStore();
  const account = accounts.accessToken(profile);
  const cached = parseCached(await store.get(account));
  if (cached && cached.expiresAt.getTime() - deps.now().getTime() > REUSE_MARGIN_MS) return cached;

  const fresh = await refreshGrant(deps, config, profile, opts);
  try {
    await store.set(account, JSON.stringify({ accessToken: fresh.accessToken, expiresAt: fresh.expiresAt.toISOString() }));
  } catch (error) {
    // The token is good; failing to keep it only costs an LWA call next time.
    opts.warn(`warning: could not cache the access token: ${(error as Error).message}`);
  }
  return fresh;
}

/** Anything unreadable counts as no cache: the next refresh overwrites it. */
function parseCached(text: string | null): AccessToken | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as { accessToken?: unknown; expiresAt?: unknown };
    if (typeof value.accessToken !== 'string' || !value.accessToken.startsWith('Atza|') || typeof value.expiresAt !== 'string') return undefined;
    const expiresAt = new Date(value.expiresAt);
    return Number.isNaN(expiresAt.getTime()) ? undefined : { accessToken: value.accessToken, expiresAt };
  } catch {
    return undefined;
  }
}
