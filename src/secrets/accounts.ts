// Where each secret sits in the keychain. A module of its own, with type imports only,
// so commands can name accounts without loading the store (and its file I/O) at start-up.

import type { Config } from '../config/config.js';

export const SERVICE = 'amz-token';

/** Keychain account names: `secret-tool lookup service amz-token username <account>` reads one. */
export const accounts = {
  clientSecret: (app: string) => `app/${app}/client-secret`,
  refreshToken: (profile: string) => `profile/${profile}/refresh-token`,
  accessToken: (profile: string) => `profile/${profile}/access-token`,
  /** A cached grantless access token of an app, per scope (token --grantless, rotate-secret). */
  grantlessToken: (app: string, scope: GrantlessScopeName) => `app/${app}/grantless-token/${scope}`,
  /** The HMAC key that signs invitation links, states and cookies of `serve` (src/serve/signing.ts). */
  servingKey: () => 'serve/signing-key',
  /** The password `remind --send` logs in to the SMTP server with (`config set-secret smtp-password`). */
  smtpPassword: () => 'mail/smtp-password',
};

/** The grantless scopes amz-token asks for, by their short names (token --grantless --scope). */
export const GRANTLESS_SCOPES = {
  notifications: 'sellingpartnerapi::notifications',
  // Singular "credential": one library shipped the plural, and LWA answers invalid_scope to it.
  rotation: 'sellingpartnerapi::client_credential:rotation',
} as const;
export type GrantlessScopeName = keyof typeof GRANTLESS_SCOPES;

/** An app's cached grantless tokens: stale once its client secret changes. */
export function grantlessTokenAccounts(app: string): string[] {
  return (Object.keys(GRANTLESS_SCOPES) as GrantlessScopeName[]).map((scope) => accounts.grantlessToken(app, scope));
}

/**
 * The accounts of this config.json: each app's client secret and each profile's refresh token
 * (expected), and what amz-token may have cached for it: access tokens and the apps' grantless
 * tokens. Shared: one entry per store, not per config folder: serve's invitation signing key (so
 * that links already sent keep working) and the SMTP password of `remind`; another config folder
 * on the same store may use them, so `store migrate` copies them and leaves them where they were.
 * Nothing else in the store is this config's: another config folder's entries may share it.
 */
export function configAccounts(config: Config): { expected: string[]; cached: string[]; shared: string[] } {
  return {
    expected: [...Object.keys(config.apps).map(accounts.clientSecret), ...Object.keys(config.profiles).map(accounts.refreshToken)],
    cached: [...Object.keys(config.profiles).map(accounts.accessToken), ...Object.keys(config.apps).flatMap(grantlessTokenAccounts)],
    shared: [accounts.servingKey(), accounts.smtpPassword()],
  };
}
