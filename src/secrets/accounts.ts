// Where each secret sits in the keychain. A module of its own, free of imports,
// so commands can name accounts without loading the store (and its file I/O) at start-up.

export const SERVICE = 'amz-token';

/** Keychain account names: `secret-tool lookup service amz-token username <account>` reads one. */
export const accounts = {
  clientSecret: (app: string) => `app/${app}/client-secret`,
  refreshToken: (profile: string) => `profile/${profile}/refresh-token`,
  accessToken: (profile: string) => `profile/${profile}/access-token`,
  /** The HMAC key that signs invitation links, states and cookies of `serve` (src/serve/signing.ts). */
  servingKey: () => 'serve/signing-key',
};
