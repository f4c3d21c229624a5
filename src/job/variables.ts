// The variables a job gets (`exec`) or a shell is given (`env`): one list, built
// from a profile and its access token (and, with --lwa-credentials, the
// long-lived credentials under the names the common client libraries read),
// and the rest of the job's environment. Pure: no keychain, no network.

import type { ProfileRecord } from '../config/config.js';
import { findMarketplace } from '../amazon/marketplaces.js';

export interface JobVariable {
  name: string;
  value: string;
  /** True for values that open a seller's account: `env --format github` masks them in logs. */
  secret: boolean;
}

export interface LongLivedCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface JobCredentials {
  profile: string;
  record: ProfileRecord;
  accessToken: string;
  expiresAt: Date;
  /** The region's SP-API origin, or AMZ_TOKEN_SPAPI_URL. */
  endpoint: string;
  /** Only with --lwa-credentials. */
  lwa?: LongLivedCredentials;
}

/**
 * Every name under which --lwa-credentials hands over each long-lived value:
 * bizon's @sp-api-sdk/auth reads LWA_*, amazon-sp-api SELLING_PARTNER_APP_CLIENT_*,
 * python-amazon-sp-api LWA_APP_ID, LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN.
 */
export const LWA_CREDENTIAL_NAMES = {
  clientId: ['LWA_CLIENT_ID', 'LWA_APP_ID', 'SELLING_PARTNER_APP_CLIENT_ID'],
  clientSecret: ['LWA_CLIENT_SECRET', 'SELLING_PARTNER_APP_CLIENT_SECRET'],
  refreshToken: ['LWA_REFRESH_TOKEN', 'SP_API_REFRESH_TOKEN'],
} as const;

/** amz-token's own CI overrides: never passed on to a job. */
const OWN_SECRETS = ['AMZ_TOKEN_REFRESH_TOKEN', 'AMZ_TOKEN_CLIENT_SECRET'];
const LONG_LIVED_SECRETS: readonly string[] = [...LWA_CREDENTIAL_NAMES.clientSecret, ...LWA_CREDENTIAL_NAMES.refreshToken];

/** The variables, in the order `env` prints them. */
export function jobVariables(credentials: JobCredentials): JobVariable[] {
  const { record } = credentials;
  const marketplace = findMarketplace(record.marketplace);
  const plain = (name: string, value: string): JobVariable => ({ name, value, secret: false });
  const variables: JobVariable[] = [
    { name: 'SP_API_ACCESS_TOKEN', value: credentials.accessToken, secret: true },
    plain('SP_API_ACCESS_TOKEN_EXPIRES_AT', credentials.expiresAt.toISOString()),
    plain('SP_API_REGION', record.region),
    plain('SP_API_ENDPOINT', credentials.endpoint),
    // config.json is validated on load, so the marketplace is a known one; the code stands in if it ever is not.
    plain('SP_API_MARKETPLACE_ID', marketplace?.marketplaceId ?? record.marketplace),
    plain('SP_API_DEFAULT_MARKETPLACE', marketplace?.code ?? record.marketplace),
    plain('SP_API_SELLING_PARTNER_ID', record.sellingPartnerId),
    plain('AMZ_TOKEN_PROFILE', credentials.profile),
  ];
  const lwa = credentials.lwa;
  if (lwa) {
    for (const name of LWA_CREDENTIAL_NAMES.clientId) variables.push(plain(name, lwa.clientId));
    for (const name of LWA_CREDENTIAL_NAMES.clientSecret) variables.push({ name, value: lwa.clientSecret, secret: true });
    for (const name of LWA_CREDENTIAL_NAMES.refreshToken) variables.push({ name, value: lwa.refreshToken, secret: true });
  }
  return variables;
}

/**
 * The job's environment: amz-token's own, minus its CI overrides and (unless
 * the long-lived credentials are handed over on purpose) every name a library
 * would read a client secret or refresh token from, then the job's variables.
 * Suffixed names go too: python-amazon-sp-api reads `SP_API_REFRESH_TOKEN_<account>`
 * before `SP_API_REFRESH_TOKEN`, so a stale one would win over amz-token's.
 */
export function jobEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  variables: readonly JobVariable[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || OWN_SECRETS.includes(name)) continue;
    if (LONG_LIVED_SECRETS.some((secret) => name === secret || name.startsWith(`${secret}_`))) continue;
    env[name] = value;
  }
  for (const variable of variables) env[variable.name] = variable.value;
  return env;
}
