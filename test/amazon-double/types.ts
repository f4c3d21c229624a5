// Public types of the Amazon double (re-exported from index.ts).

export interface DoubleApp {
  applicationId: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  loginUri?: string;
  draft?: boolean;
  /** Secrets replaced by a rotation: each keeps working until `until` (the double's clock). */
  oldSecrets?: Array<{ secret: string; until: number }>;
  /** The SQS queue registered for "Application Client New Secret" and "Secret Expiry"; without it a rotation is refused as not enrolled. */
  secretQueueUrl?: string;
  /** The app's SP-API roles; undefined: all of them. Without 'Pricing' the Product Fees API answers 403 Unauthorized. */
  roles?: string[];
}

/** A seller's account as the Sellers API describes it. */
export interface DoubleStore {
  storeName: string;
  /** Country codes the seller participates in. */
  marketplaces: string[];
}

export interface DoubleOptions {
  apps: DoubleApp[];
  /** Default 'A3TESTSELLER01'. */
  sellingPartnerId?: string;
  /** Clock in ms, injectable so tests can expire codes and access tokens. */
  now?: () => number;
  /** Take the Login URI detour (true: absolute amazon_callback_uri, 'relative': path only). */
  loginDetour?: boolean | 'relative';
  /** Also serve everything over https with this PEM key and certificate, on `tlsPort`. */
  tls?: { key: string; cert: string };
}

export interface DoubleFaults {
  /** Answer every token request with this status (5xx/429)... */
  tokenStatus?: number;
  /** ...or only the next N token requests, then behave normally. */
  failTimes?: number;
  /** Delay every token reply. */
  delayMs?: number;
  /** Hold each token reply until this many token requests are waiting, then answer them all: proves that callers asked at once. */
  gatherTokenRequests?: number;
  /** Never answer token requests (until close()). */
  hang?: boolean;
  /** Raw body to send instead (with tokenStatus, or with 200 when tokenStatus is unset). */
  body?: string;
  /** The Sellers API answers 403 "The LWA secret token you provided has expired." (selling-partner-api-models#4489). */
  clientSecretExpired?: boolean;
  /** The rotation endpoint answers 429 (with Retry-After: retryAfterSeconds) this many times. */
  rotationThrottled?: number;
  retryAfterSeconds?: number;
  /** Rotate, but hold the new-secret notification back (double.deliverHeld() sends it). */
  holdNotifications?: boolean;
}

export interface RotationLogEntry {
  clientId: string;
  status: number;
  at: number;
}

export interface TokenRequestLogEntry {
  method: string;
  path: string;
  /** The parameters, whether they came as a form or as JSON. */
  form?: Record<string, string>;
  body?: 'form' | 'json';
  /** True when it came over the https listener. */
  secure: boolean;
  at: number;
}

export interface SellersRequestLogEntry {
  secure: boolean;
  /** True when the access token was one this double minted and still valid. */
  accepted: boolean;
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
  /**
   * Each seller's store, by selling partner id (mutable). A seller not listed has a store of its
   * own all the same: "Store <id>", in DE only.
   */
  stores: Record<string, DoubleStore>;
  /** Sets an app's SP-API roles (undefined: all); the next SP-API call sees them. */
  setRoles(clientId: string, roles: string[] | undefined): void;
  /** Calls of the Product Fees API's getMyFeesEstimateForASIN, in arrival order. */
  feesRequests: Array<{ status: number; at: number }>;
  /** The https listener's port, when started with `tls`. */
  tlsPort?: number;
  /** Token-endpoint requests, in arrival order. Holds secrets: never print it. */
  requests: TokenRequestLogEntry[];
  /** Calls of GET /sellers/v1/marketplaceParticipations, in arrival order. */
  sellersRequests: SellersRequestLogEntry[];
  /** Highest number of concurrent token requests observed. */
  maxInFlight: number;
  issueCode(opts: { applicationId: string; redirectUri: string; sellingPartnerId?: string }): string;
  issueRefreshToken(clientId: string, sellingPartnerId?: string): string;
  /** Calls of the rotation endpoint, in arrival order. */
  rotations: RotationLogEntry[];
  /** The app's current client secret (after rotations). Never print it. */
  currentSecret(clientId: string): string;
  /** Sends the notifications held back by faults.holdNotifications. */
  deliverHeld(): Promise<void>;
  /** Puts an APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY notification for the app on its queue. */
  notifySecretExpiry(clientId: string, expiresAt: Date): Promise<void>;
  revoke(refreshToken: string): void;
  close(): Promise<void>;
}
