// Where each secret sits in the keychain. A module of its own, free of imports,
// so commands can name accounts without loading the store (and its file I/O) at start-up.

import type { Config } from '../config/config.js';

export const SERVICE = 'amz-token';

/** Keychain account names: `secret-tool lookup service amz-token username <account>` reads one. */
export const accounts = {
  clientSecret: (app: string) => `app/${app}/client-secret`,
  refreshToken: (profile: string) => `profile/${profile}/refresh-token`,
  accessToken: (profile: string) => `profile/${profile}/access-token`,
};

/**
 * The accounts of this config.json: each app's client secret and each profile's refresh token
 * (expected), and the access tokens `token` may have cached. Nothing else in the store moves:
 * another config folder's entries may share it.
 */
export function configAccounts(config: Config): { expected: string[]; cached: string[] } {
  return {
    expected: [...Object.keys(config.apps).map(accounts.clientSecret), ...Object.keys(config.profiles).map(accounts.refreshToken)],
    cached: Object.keys(config.profiles).map(accounts.accessToken),
  };
}
