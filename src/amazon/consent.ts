// The Seller/Vendor Central consent URL that starts an authorization.

import { centralOrigin, type Marketplace } from './marketplaces.js';
import type { Role } from '../config/config.js';
import { UsageError } from '../errors.js';

export interface ConsentUrlOptions {
  origin: string;
  applicationId: string;
  state: string;
  redirectUri: string;
  draft: boolean;
}

export function consentUrl(opts: ConsentUrlOptions): string {
  const url = new URL('/apps/authorize/consent', opts.origin);
  url.searchParams.set('application_id', opts.applicationId);
  url.searchParams.set('state', opts.state);
  // Always explicit: without it Amazon picks the app's first registered URI.
  url.searchParams.set('redirect_uri', opts.redirectUri);
  // Draft apps without version=beta get error MD1000 from Seller Central.
  if (opts.draft) url.searchParams.set('version', 'beta');
  return url.toString();
}

/** AMZ_TOKEN_CENTRAL_URL when set (tests, staging, a country host), else the marketplace's Central. */
export function consentOrigin(marketplace: Marketplace, role: Role, override: string | undefined): string {
  if (override) {
    try {
      return new URL(override).origin;
    } catch {
      throw new UsageError(`AMZ_TOKEN_CENTRAL_URL "${override.slice(0, 60)}" is not a URL`);
    }
  }
  if (role === 'vendor' && !marketplace.vendorCentral) {
    throw new UsageError(`marketplace ${marketplace.code} has no Vendor Central`, 'set AMZ_TOKEN_CENTRAL_URL if you know its host');
  }
  return centralOrigin(marketplace, role);
}
