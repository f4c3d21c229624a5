// Public types of the Amazon double (re-exported from index.ts).

export interface DoubleApp {
  applicationId: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  loginUri?: string;
  draft?: boolean;
}

export interface DoubleOptions {
  apps: DoubleApp[];
  /** Default 'A3TESTSELLER01'. */
  sellingPartnerId?: string;
  /** Clock in ms, injectable so tests can expire codes and access tokens. */
  now?: () => number;
  /** Take the Login URI detour (true: absolute amazon_callback_uri, 'relative': path only). */
  loginDetour?: boolean | 'relative';
}

export interface DoubleFaults {
  /** Answer every token request with this status (5xx/429)... */
  tokenStatus?: number;
  /** ...or only the next N token requests, then behave normally. */
  failTimes?: number;
  /** Delay every token reply. */
  delayMs?: number;
  /** Never answer token requests (until close()). */
  hang?: boolean;
  /** Raw body to send instead (with tokenStatus, or with 200 when tokenStatus is unset). */
  body?: string;
  /** The Sellers API answers 403 "The LWA secret token you provided has expired." (selling-partner-api-models#4489). */
  clientSecretExpired?: boolean;
}

export interface TokenRequestLogEntry {
  method: string;
  path: string;
  form?: Record<string, string>;
  at: number;
}

export interface AmazonDouble {
  /** Serves as the Seller Central origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  /** `${origin}/auth/o2/token` */
  lwaUrl: string;
  /** Same origin: serves /sellers/v1/marketplaceParticipations. */
  spApiOrigin: string;
  faults: DoubleFaults;
  /** Mutable: change it to simulate a different seller consenting. */
  sellingPartnerId: string;
  /** Mutable. */
  loginDetour: boolean | 'relative';
  /** Token-endpoint requests, in arrival order. Holds secrets: never print it. */
  requests: TokenRequestLogEntry[];
  /** Highest number of concurrent token requests observed. */
  maxInFlight: number;
  issueCode(opts: { applicationId: string; redirectUri: string; sellingPartnerId?: string }): string;
  issueRefreshToken(clientId: string, sellingPartnerId?: string): string;
  revoke(refreshToken: string): void;
  close(): Promise<void>;
}
