// The one redirect validator: where a Login URI detour may send the browser
// (with our state on it). Only Amazon's Seller and Vendor Central hosts over
// https, or the Central origin the flow itself uses (AMZ_TOKEN_CENTRAL_URL in
// tests); a relative amazon_callback_uri is resolved against that origin.
// Used by the loopback flow (callback-verdict.ts) and by serve's /login.

import { MARKETPLACES } from './marketplaces.js';

// Every Central host a consent URL can name (marketplaces.ts), so the two never drift
// apart; plus the country hosts some tools use for the big EU marketplaces, and
// India's older Vendor Central host, which Amazon's 2025 sample still uses.
const CENTRAL_HOSTS: ReadonlySet<string> = new Set([
  ...MARKETPLACES.flatMap((m) => [m.sellerCentral, ...(m.vendorCentral ? [m.vendorCentral] : [])]),
  ...['co.uk', 'de', 'fr', 'it', 'es'].map((tld) => `sellercentral.amazon.${tld}`),
  'vendorcentral.in',
  'www.vendorcentral.in',
]);

/** A Seller or Vendor Central host of Amazon's: only these may receive our state on the Login URI detour. */
export function isAmazonHost(hostname: string): boolean {
  return CENTRAL_HOSTS.has(hostname);
}

export type CallbackTarget = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Where amazon_callback_uri points, if it may be followed. `central`: the origin of the
 * Central the consent ran on, against which a relative path is resolved.
 */
export function amazonCallbackTarget(uri: string, central: URL): CallbackTarget {
  // Control characters (which URL parsing drops: "java\tscript:") and backslashes (read as
  // slashes: "/\\evil" is "//evil") have no place in Amazon's address: a crafted one.
  if (/[\u0000-\u001f\u007f\\]/.test(uri) || !URL.canParse(uri, central)) return { ok: false, reason: 'the amazon_callback_uri is not a valid address' };
  const target = new URL(uri, central);
  // Anything but https (javascript:, data:, plain http elsewhere) could run script or leak the state.
  // Only Amazon's own hosts may receive our state: a detour to any other
  // https site would hand it the state, and with it a forged callback.
  const onCentral = target.origin === central.origin;
  if (!onCentral && !(target.protocol === 'https:' && target.port === '' && isAmazonHost(target.hostname))) {
    return { ok: false, reason: 'the amazon_callback_uri is not on an Amazon Seller or Vendor Central host' };
  }
  if (target.username !== '' || target.password !== '') return { ok: false, reason: 'the amazon_callback_uri carries a user name or password' };
  target.hash = '';
  return { ok: true, url: target };
}
