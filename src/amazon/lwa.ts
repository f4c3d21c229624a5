// Login with Amazon's token endpoint: code exchange and refresh, with
// timeouts, bounded retries for transient failures, and LWA's error JSON
// mapped to one-line messages and exit codes. Secrets never reach a message.

import { AmazonUnavailableError, AppCredentialsError, AuthorizationExpiredError, FlowError } from '../errors.js';
import { parseJsonObject, retrying, scrub, sendToAmazon, TransientFailure } from './http.js';

const LWA = 'Login with Amazon';

export interface LwaOptions {
  url: string;
  /** Per attempt: connect, headers and body each. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (network, 5xx, 429). */
  retries: number;
  /** App name, to name it when its credentials are rejected. */
  appName: string;
  sleep?: (ms: number) => Promise<void>;
  /** Aborts the request and its retries (status --check's --deadline). */
  stop?: AbortSignal;
}

export interface TokenReply {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Trades a consent code for tokens. A code Amazon rejected is never sent again. */
export async function exchangeCode(
  opts: LwaOptions,
  client: ClientCredentials,
  code: string,
  redirectUri: string,
): Promise<TokenReply & { refreshToken: string }> {
  const reply = await tokenRequest(opts, 'code', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  if (!reply.refreshToken) throw new AmazonUnavailableError('Amazon accepted the code but sent no refresh_token');
  return reply as TokenReply & { refreshToken: string };
}

/** Gets an access token for a refresh token: proves the authorization works now. */
export function refreshAccessToken(opts: LwaOptions, client: ClientCredentials, refreshToken: string): Promise<TokenReply> {
  return tokenRequest(opts, 'refresh', {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

/**
 * A grantless access token (client_credentials) for `scope`: no seller involved, so it also proves
 * that the app's client id and secret work. Grantless operations are for seller apps only.
 */
export function clientCredentialsGrant(opts: LwaOptions, client: ClientCredentials, scope: string): Promise<TokenReply> {
  return tokenRequest(opts, 'grantless', {
    grant_type: 'client_credentials',
    scope,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

export type Grant = 'code' | 'refresh' | 'grantless';

async function tokenRequest(opts: LwaOptions, grant: Grant, form: Record<string, string>): Promise<TokenReply> {
  return retrying(LWA, { retries: opts.retries, sleep: opts.sleep, stop: opts.stop }, async () => {
    const { status, text } = await sendToAmazon(LWA, opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      timeoutMs: opts.timeoutMs,
      stop: opts.stop,
    });
    return interpretTokenReply(status, text, grant, opts.appName);
  });
}

/**
 * LWA's answer as a token reply, or a typed error: TransientFailure (worth a
 * retry) or an AmzTokenError with its exit code. Pure, so it can be fuzzed.
 */
export function interpretTokenReply(status: number, text: string, grant: Grant, appName: string): TokenReply {
  if (status === 429 || status >= 500) throw new TransientFailure(`HTTP ${status}${lwaErrorSuffix(text)}`);
  const body = parseJsonObject(text);
  if (status === 200) return tokenReply(body);
  const error = typeof body?.error === 'string' ? body.error : undefined;
  if (!error) throw new AmazonUnavailableError(`Login with Amazon answered HTTP ${status} without an error code`);
  const description = typeof body?.error_description === 'string' ? `: ${scrub(body.error_description)}` : '';
  if (error === 'server_error' || error === 'temporarily_unavailable') throw new TransientFailure(`${error}${description}`);
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    throw new AppCredentialsError(
      `Login with Amazon rejected the credentials of app "${appName}" (${error}${description}): the client secret may have expired or been rotated`,
      `rotate it in the Developer Console, then run: amz-token app set-secret ${appName}`,
    );
  }
  if (grant === 'grantless') {
    throw new AppCredentialsError(
      `Login with Amazon refused a grantless token to app "${appName}" (${error}${description})`,
      error === 'invalid_scope' || error === 'unauthorized_client' ? 'grantless operations are for seller apps only (not vendor apps)' : undefined,
    );
  }
  if (grant === 'code') {
    throw new CodeRejectedError(
      `${error}${description}`,
      error === 'invalid_grant'
        ? 'codes are valid once, for five minutes, and only with the exact redirect URI; run the command again'
        : 'run the command again',
    );
  }
  if (error === 'invalid_grant' || error === 'access_denied') throw new RefreshTokenRejectedError(`${error}${description}`);
  throw new AmazonUnavailableError(`Login with Amazon refused the request (${error}${description})`);
}

/** LWA refused a refresh token (exit 4); `detail` is its error and description, for a message naming where the token came from. */
export class RefreshTokenRejectedError extends AuthorizationExpiredError {
  constructor(readonly detail: string) {
    super(`Amazon rejected the refresh token (${detail}): the authorization has expired or was revoked`);
  }
}

/** LWA refused an authorization code (exit 6); `detail` is its error and description, for a paste's warning. */
export class CodeRejectedError extends FlowError {
  constructor(
    readonly detail: string,
    hint: string,
  ) {
    super(`Amazon rejected the authorization code (${detail})`, hint);
  }
}

function tokenReply(body: Record<string, unknown> | undefined): TokenReply {
  if (!body) throw new AmazonUnavailableError('Login with Amazon answered 200 with a body that is not JSON');
  const { access_token, refresh_token, token_type, expires_in } = body;
  if (typeof access_token !== 'string' || access_token === '') {
    throw new AmazonUnavailableError('Login with Amazon answered 200 without an access_token');
  }
  if (typeof token_type === 'string' && token_type.toLowerCase() !== 'bearer') {
    throw new AmazonUnavailableError(`Login with Amazon answered with token_type "${scrub(token_type)}", expected bearer`);
  }
  const reply: TokenReply = { accessToken: access_token, expiresIn: typeof expires_in === 'number' && expires_in > 0 ? expires_in : 3600 };
  if (typeof refresh_token === 'string' && refresh_token !== '') reply.refreshToken = refresh_token;
  return reply;
}

function lwaErrorSuffix(text: string): string {
  const error = parseJsonObject(text)?.error;
  return typeof error === 'string' ? ` (${scrub(error)})` : '';
}
