// An app's grantless access tokens (client_credentials, per scope): cached like a profile's
// access token (the shared runtime cache, else the secret store), and asked of LWA only when the cache
// has too little left. The cached path loads no HTTP client (see access-token.ts).

import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { findApp } from '../config/lookup.js';
import type { LwaOptions } from '../amazon/lwa.js';
import { accounts, GRANTLESS_SCOPES, type GrantlessScopeName } from './accounts.js';
import { clientSecretOf } from './credentials.js';
import { parseCached, REUSE_MARGIN_MS, type AccessToken } from './access-token.js';
import { grantlessEntryKey } from './token-cache.js';
import { throughRuntimeCache } from './shared-token.js';

export interface GrantlessOptions {
  lwa: Omit<LwaOptions, 'appName'>;
  warn: (line: string) => void;
  /** Ask LWA whatever the cache holds; the answer replaces the cache. */
  bypassCache?: boolean;
  /** Don't read or write the cache (status --check proves the secret, not the cache). */
  noCache?: boolean;
  clientSecret?: (app: string) => Promise<string>;
}

/** A grantless token of `app` for `scope`, from the cache while more than five minutes remain. */
export async function grantlessToken(deps: Deps, config: Config, app: string, scope: GrantlessScopeName, opts: GrantlessOptions): Promise<AccessToken> {
  const record = findApp(config, app);
  const ask = async (): Promise<AccessToken> => {
    const clientSecret = await (opts.clientSecret ?? ((name: string) => clientSecretOf(deps, name)))(app);
    const { clientCredentialsGrant } = await import('../amazon/lwa.js');
    const reply = await clientCredentialsGrant({ ...opts.lwa, appName: app }, { clientId: record.clientId, clientSecret }, GRANTLESS_SCOPES[scope]);
    return { accessToken: reply.accessToken, expiresAt: new Date(deps.now().getTime() + reply.expiresIn * 1000) };
  };
  // With AMZ_TOKEN_CLIENT_SECRET (CI) the secret is not the stored one: neither read nor write its cache.
  if (opts.noCache || deps.env.AMZ_TOKEN_CLIENT_SECRET?.trim()) return ask();
  const shared = await throughRuntimeCache(
    deps,
    (realDir) => grantlessEntryKey(deps.env, realDir, config, app, GRANTLESS_SCOPES[scope], opts.lwa.url),
    { marginMs: REUSE_MARGIN_MS, bypassCache: opts.bypassCache, warn: opts.warn, what: 'grantless token' },
    ask,
  );
  if (shared) return shared;
  const store = await deps.secretStore();
  const account = accounts.grantlessToken(app, scope);
  const cached = opts.bypassCache ? undefined : parseCached(await store.get(account));
  if (cached && cached.expiresAt.getTime() - deps.now().getTime() > REUSE_MARGIN_MS) return cached;
  const fresh = await ask();
  try {
    await store.set(account, JSON.stringify({ accessToken: fresh.accessToken, expiresAt: fresh.expiresAt.toISOString() }));
  } catch (error) {
    opts.warn(`warning: could not cache the grantless token: ${(error as Error).message}`);
  }
  return fresh;
}
