// Where live checks and `token` reach Amazon and how long they wait: the LWA
// and SP-API endpoints and the HTTP timeout, with their environment overrides.

import { UsageError } from '../errors.js';
import type { LwaOptions } from './lwa.js';
import { spApiOrigin, type Region } from './marketplaces.js';

type Env = Readonly<Record<string, string | undefined>>;

// Here, not in lwa.ts: `token` reads this on its cached path, which must not load lwa.ts (and the HTTP client).
export const DEFAULT_LWA_URL = 'https://api.amazon.com/auth/o2/token';
export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;
const MAX_HTTP_TIMEOUT_MS = 600_000;
/** Extra attempts after a transient failure: enough for a blip, few enough not to hammer Amazon. */
export const HTTP_RETRIES = 2;

/** AMZ_TOKEN_HTTP_TIMEOUT_MS: per attempt, for connect, headers and body each. */
export function httpTimeoutMs(env: Env): number {
  const raw = env.AMZ_TOKEN_HTTP_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_HTTP_TIMEOUT_MS;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= MAX_HTTP_TIMEOUT_MS)) {
    throw new UsageError(`AMZ_TOKEN_HTTP_TIMEOUT_MS must be a whole number of milliseconds from 1 to ${MAX_HTTP_TIMEOUT_MS}, got "${raw.slice(0, 20)}"`);
  }
  return value;
}

/** LWA's token endpoint (AMZ_TOKEN_LWA_URL overrides it), timeout and retries; the caller adds the app's name. */
export function lwaOptions(env: Env): Omit<LwaOptions, 'appName'> {
  return { url: endpoint(env, 'AMZ_TOKEN_LWA_URL') ?? DEFAULT_LWA_URL, timeoutMs: httpTimeoutMs(env), retries: HTTP_RETRIES };
}

/** The SP-API origin of a region, or AMZ_TOKEN_SPAPI_URL for every region. */
export function spApiOriginFor(env: Env, region: Region): string {
  return endpoint(env, 'AMZ_TOKEN_SPAPI_URL')?.replace(/\/+$/, '') ?? spApiOrigin(region);
}

function endpoint(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} "${value.slice(0, 60)}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${name} must be an http(s) URL, got ${url.protocol}//`);
  return value;
}
