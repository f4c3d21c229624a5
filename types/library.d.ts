// The types of amz-token's library (src/library.ts), published as dist/library.d.cts and
// dist/library.d.mts (scripts/build.mjs copies this file). test/library/types.test-d.ts checks
// that the implementation fits them.

/** The CLI's exit codes; an AmzTokenError's exitCode is one of these. */
export declare const ExitCode: {
  readonly OK: 0;
  readonly INTERNAL: 1;
  readonly USAGE: 2;
  readonly EXPIRING: 3;
  readonly EXPIRED: 4;
  readonly NOT_FOUND: 5;
  readonly FLOW_NOT_COMPLETED: 6;
  readonly AMAZON_UNAVAILABLE: 7;
  readonly STORE_UNAVAILABLE: 8;
  readonly APP_REJECTED: 9;
  readonly CANCELLED: 130;
};
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every failure: `message` is the CLI's one line, `hint` its next step, `exitCode` what the CLI
 * would exit with (4: the seller must renew, 5: no such profile or nothing stored, 7: Amazon
 * unreachable, 8: store unavailable, 9: the app's credentials rejected, 2: bad input or config).
 */
export declare class AmzTokenError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCode, hint?: string);
}

export interface AccessTokenOptions {
  /** The config folder (default as the CLI: AMZ_TOKEN_CONFIG_DIR, else $XDG_CONFIG_HOME/amz-token, else ~/.config/amz-token). */
  configDir?: string;
  /** Hand out a token only while more than this remains (default 5 minutes, as `amz-token token`). */
  minRemainingMs?: number;
  /** Ask LWA whatever the caches hold (after the seller revoked the authorization, say), as `token --no-cache`. */
  forceRefresh?: boolean;
  /** The environment to read the CLI's variables from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where warnings go (a token that could not be cached); default process.emitWarning. */
  warn?: (message: string) => void;
}

export interface TokenProvider {
  /** A valid access token (Atza|...): what @sp-api-sdk clients call before each request. */
  getAccessToken(): Promise<string>;
}

/** A valid access token of the profile: from memory, then the shared cache, then Login with Amazon. */
export declare function accessToken(profile: string, options?: AccessTokenOptions): Promise<string>;

/** An object with getAccessToken(), for @sp-api-sdk clients' `auth` and other SDKs' token hooks. */
export declare function tokenProvider(profile: string, options?: Omit<AccessTokenOptions, 'forceRefresh'>): TokenProvider;
