// Login with Amazon as the double implements it: authorization codes, refresh
// and access tokens, and the grant rules of POST /auth/o2/token.
import { randomBytes } from 'node:crypto';
import type { DoubleApp } from './types.js';

export const CODE_TTL_MS = 5 * 60 * 1000;
export const ACCESS_TOKEN_TTL_S = 3600;

export interface LwaReply {
  status: number;
  body: Record<string, unknown>;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  sellingPartnerId: string;
  issuedAt: number;
  used: boolean;
}

interface RefreshRecord {
  clientId: string;
  sellingPartnerId: string;
  revoked: boolean;
}

interface AccessRecord {
  clientId: string;
  sellingPartnerId: string;
  expiresAt: number;
  /** Grantless tokens only. */
  scope?: string;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomLetters(length: number): string {
  // 208 = largest multiple of 52 below 256, so every letter is equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 208 && out.length < length) out += LETTERS[byte % 52];
    }
  }
  return out;
}

/** Real LWA tokens are `Atza|`/`Atzr|` + a long base64url-ish blob; the `|` tests form encoding. */
function lwaToken(prefix: 'Atza' | 'Atzr'): string {
  return `${prefix}|IwEB${randomBytes(96).toString('base64url')}`;
}

function lwaError(status: 400 | 401, error: string, description: string): LwaReply {
  return { status, body: { error, error_description: description } };
}

const missing = (name: string) =>
  lwaError(400, 'invalid_request', `The request is missing a required parameter : ${name}`);
const invalidGrant = (name: string) =>
  lwaError(400, 'invalid_grant', `The request has an invalid grant parameter : ${name}`);

const GRANTLESS_SCOPES = new Set([
  'sellingpartnerapi::notifications',
  'sellingpartnerapi::migration',
  'sellingpartnerapi::client_credential:rotation',
]);

export class Lwa {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();

  constructor(
    private readonly apps: readonly DoubleApp[],
    private readonly now: () => number,
  ) {}

  appByClientId(clientId: string): DoubleApp | undefined {
    return this.apps.find((app) => app.clientId === clientId);
  }

  issueCode(app: DoubleApp, redirectUri: string, sellingPartnerId: string): string {
    // As Amazon's codes look: "AN" and 18 letters (src/flow/callback-query.ts says where that is seen).
    const code = `AN${randomLetters(18)}`;
    this.codes.set(code, { clientId: app.clientId, redirectUri, sellingPartnerId, issuedAt: this.now(), used: false });
    return code;
  }

  issueRefreshToken(clientId: string, sellingPartnerId: string): string {
    if (!this.appByClientId(clientId)) throw new Error(`amazon double: no app with client id ${clientId}`);
    const token = lwaToken('Atzr');
    this.refreshTokens.set(token, { clientId, sellingPartnerId, revoked: false });
    return token;
  }

  revoke(refreshToken: string): void {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) throw new Error('amazon double: revoke() of a refresh token it never issued');
    record.revoked = true;
  }

  /** The current secret, or one replaced by a rotation less than seven days ago (the double's clock). */
  private secretWorks(app: DoubleApp, secret: string): boolean {
    if (app.clientSecret === secret) return true;
    return (app.oldSecrets ?? []).some((old) => old.secret === secret && this.now() < old.until);
  }

  /** The app a grantless access token was issued to for `scope`, if it is valid now. */
  grantlessClient(token: string, scope: string): string | undefined {
    const record = this.accessTokens.get(token);
    if (!record || this.now() >= record.expiresAt || record.scope !== scope) return undefined;
    return record.clientId;
  }

  /** The app and seller a seller access token belongs to, if it is valid now (grantless tokens have none). */
  sellerOf(token: string): { clientId: string; sellingPartnerId: string } | undefined {
    const record = this.accessTokens.get(token);
    if (!record || this.now() >= record.expiresAt || record.sellingPartnerId === '') return undefined;
    return { clientId: record.clientId, sellingPartnerId: record.sellingPartnerId };
  }

  /** The grant rules; `form` is the already-parsed urlencoded body. */
  token(form: Record<string, string>): LwaReply {
    // Client authentication comes before anything grant-specific, as at LWA:
    // a wrong secret must not burn the code.
    if (!form.client_id) return missing('client_id');
    if (!form.client_secret) return missing('client_secret');
    const app = this.appByClientId(form.client_id);
    if (!app || !this.secretWorks(app, form.client_secret)) {
      return lwaError(401, 'invalid_client', 'Client authentication failed');
    }
    switch (form.grant_type) {
      case undefined:
      case '':
        return missing('grant_type');
      case 'authorization_code':
        return this.codeGrant(app, form);
      case 'refresh_token':
        return this.refreshGrant(app, form);
      case 'client_credentials':
        return this.clientCredentialsGrant(app, form);
      default:
        return lwaError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server');
    }
  }

  private codeGrant(app: DoubleApp, form: Record<string, string>): LwaReply {
    if (!form.code) return missing('code');
    if (!form.redirect_uri) return missing('redirect_uri');
    const record = this.codes.get(form.code);
    if (!record) return invalidGrant('code');
    // Burned on first presentation, whatever the outcome: a leaked code that
    // was tried once with the wrong redirect_uri must not work afterwards.
    const alreadyUsed = record.used;
    record.used = true;
    if (alreadyUsed) return invalidGrant('code');
    if (this.now() >= record.issuedAt + CODE_TTL_MS) return invalidGrant('code');
    if (record.clientId !== app.clientId) return invalidGrant('code');
    if (record.redirectUri !== form.redirect_uri) return invalidGrant('redirect_uri');
    return {
      status: 200,
      body: {
        access_token: this.mintAccessToken(app.clientId, record.sellingPartnerId),
        refresh_token: this.issueRefreshToken(app.clientId, record.sellingPartnerId),
        token_type: 'bearer',
        expires_in: ACCESS_TOKEN_TTL_S,
      },
    };
  }

  private refreshGrant(app: DoubleApp, form: Record<string, string>): LwaReply {
    if (!form.refresh_token) return missing('refresh_token');
    const record = this.refreshTokens.get(form.refresh_token);
    if (!record || record.revoked || record.clientId !== app.clientId) return invalidGrant('refresh_token');
    return {
      status: 200,
      body: {
        access_token: this.mintAccessToken(app.clientId, record.sellingPartnerId),
        token_type: 'bearer',
        expires_in: ACCESS_TOKEN_TTL_S,
      },
    };
  }

  private clientCredentialsGrant(app: DoubleApp, form: Record<string, string>): LwaReply {
    if (!form.scope) return missing('scope');
    if (!GRANTLESS_SCOPES.has(form.scope)) return lwaError(400, 'invalid_scope', 'An unknown scope was requested');
    return {
      status: 200,
      body: { access_token: this.mintAccessToken(app.clientId, '', form.scope), scope: form.scope, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_S },
    };
  }

  private mintAccessToken(clientId: string, sellingPartnerId: string, scope?: string): string {
    const token = lwaToken('Atza');
    this.accessTokens.set(token, { clientId, sellingPartnerId, expiresAt: this.now() + ACCESS_TOKEN_TTL_S * 1000, ...(scope ? { scope } : {}) });
    return token;
  }
}
