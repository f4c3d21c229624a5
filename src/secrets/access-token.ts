// A profile's cached access token, which `token`, `exec`, `env` and the library reuse while it
// has enough time left: in the shared runtime cache (token-cache.ts), else in the secret store.
// Only when it has not does this module load the refresh grant (and with it the HTTP client):
// the cached path, run before every job and request, makes no request and so loads no HTTP client.

import { ExitCode } from '../errors.js';
import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { findProfile } from '../config/lookup.js';
import { accounts } from './accounts.js';
import type { AccessToken, GrantOptions } from './refresh-grant.js';
import { profileEntryKey, REUSE_MARGIN_MS } from './token-cache.js';
import { throughRuntimeCache } from './shared-token.js';

export type { AccessToken, GrantOptions } from './refresh-grant.js';
export { REUSE_MARGIN_MS };

export interface CachedTokenOptions extends GrantOptions {
  warn: (line: string) => void;
  /** Reuse the cached token only while more than this remains (default REUSE_MARGIN_MS). */
  minRemainingMs?: number;
  /** Ask LWA whatever the cache holds (token --no-cache, after a revocation); the answer replaces the cache. */
  bypassCache?: boolean;
}

/**
 * The cached access token while more than `minRemainingMs` remain, else a
 * fresh one, cached for next time (the runtime cache, else the store). With
 * AMZ_TOKEN_REFRESH_TOKEN set (CI, maybe without any keychain) it neither reads nor writes a cache.
 */
export async function cachedAccessToken(deps: Deps, config: Config, profile: string, opts: CachedTokenOptions): Promise<AccessToken> {
  const grant = async () => (await import('./refresh-grant.js')).refreshGrant(deps, config, profile, opts);
  if (deps.env.AMZ_TOKEN_REFRESH_TOKEN?.trim()) return grant();
  const record = findProfile(config, profile);
  const marginMs = opts.minRemainingMs ?? REUSE_MARGIN_MS;
  const shared = await throughRuntimeCache(
    deps,
    (realDir) => profileEntryKey(deps.env, realDir, config, profile, record, opts.lwa.url),
    { marginMs, bypassCache: opts.bypassCache, warn: opts.warn, what: 'access token' },
    grant,
  );
  if (shared) return shared;

  const store = await deps.secretStore();
  const account = accounts.accessToken(profile);
  const cached = opts.bypassCache ? undefined : parseCached(await store.get(account));
  if (cached && cached.expiresAt.getTime() - deps.now().getTime() > marginMs) return cached;

  let fresh: AccessToken;
  try {
    fresh = await grant();
  } catch (error) {
    // Amazon refused the refresh token (revoked, expired): a cached access token of that
    // authorization must not be handed out by the next `token`, even if it has time left.
    if ((error as { exitCode?: number }).exitCode === ExitCode.EXPIRED) await store.delete(account).catch(() => {});
    throw error;
  }
  try {
    await store.set(account, JSON.stringify({ accessToken: fresh.accessToken, expiresAt: fresh.expiresAt.toISOString() }));
  } catch (error) {
    // The token is good; failing to keep it only costs an LWA call next time.
    opts.warn(`warning: could not cache the access token: ${(error as Error).message}`);
  }
  return fresh;
}

/** Anything unreadable counts as no cache: the next refresh overwrites it. */
export function parseCached(text: string | null): AccessToken | undefined {
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
