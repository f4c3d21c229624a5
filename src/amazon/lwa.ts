// Login with Amazon's token endpoint: code exchange and refresh, with
// timeouts, bounded retries for transient failures, and LWA's error JSON
// mapped to one-line messages and exit codes. Secrets never reach a message.

import { request } from 'undici';
import {
  AmazonUnavailableError,
  AppCredentialsError,
  AuthorizationExpiredError,
  FlowError,
  AmzTokenError,
} from '../errors.js';

export const DEFAULT_LWA_URL = 'https://api.amazon.com/auth/o2/token';
const MAX_BODY_BYTES = 256 * 1024;

export interface LwaOptions {
  url: string;
  /** Per attempt: connect, headers and body each. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (network, 5xx, 429). */
  retries: number;
  /** App name, to name it when its credentials are rejected. */
  appName: string;
  sleep?: (ms: number) => Promise<void>;
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

type Grant = 'code' | 'refresh';

class Transient extends Error {}

async function tokenRequest(opts: LwaOptions, grant: Grant, form: Record<string, string>): Promise<TokenReply> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: Transient | undefined;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(500 * 2 ** (attempt - 1), 4000) * (0.5 + Math.random() / 2));
    try {
      return await attemptOnce(opts, grant, form);
    } catch (error) {
      if (!(error instanceof Transient)) throw error;
      last = error;
    }
  }
  throw new AmazonUnavailableError(
    `Login with Amazon is unreachable or failing: ${last?.message ?? 'no answer'} (after ${opts.retries + 1} attempts)`,
    'check the network, or retry later',
  );
}

async function attemptOnce(opts: LwaOptions, grant: Grant, form: Record<string, string>): Promise<TokenReply> {
  let status: number;
  let text: string;
  try {
    const response = await request(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs * 2),
    });
    status = response.statusCode;
    text = await readLimited(response.body);
  } catch (error) {
    if (error instanceof AmzTokenError) throw error;
    throw new Transient(describeNetworkError(error));
  }
  if (status === 429 || status >= 500) throw new Transient(`HTTP ${status}${lwaErrorSuffix(text)}`);
  const body = parseJson(text);
  if (status === 200) return tokenReply(body);
  const error = typeof body?.error === 'string' ? body.error : undefined;
  if (!error) throw new AmazonUnavailableError(`Login with Amazon answered HTTP ${status} without an error code`);
  const description = typeof body?.error_description === 'string' ? `: ${scrub(body.error_description)}` : '';
  if (error === 'server_error' || error === 'temporarily_unavailable') throw new Transient(`${error}${description}`);
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    throw new AppCredentialsError(
      `Login with Amazon rejected the credentials of app "${opts.appName}" (${error}${description}): the client secret may have expired or been rotated`,
      `rotate it in the Developer Console, then run: amz-token app set-secret ${opts.appName}`,
    );
  }
  if (grant === 'code') {
    throw new FlowError(
      `Amazon rejected the authorization code (${error}${description})`,
      error === 'invalid_grant'
        ? 'codes are valid once, for five minutes, and only with the exact redirect URI; run the command again'
        : 'run the command again',
    );
  }
  if (error === 'invalid_grant' || error === 'access_denied') {
    throw new AuthorizationExpiredError(`Amazon rejected the refresh token (${error}${description}): the authorization has expired or was revoked`);
  }
  throw new AmazonUnavailableError(`Login with Amazon refused the request (${error}${description})`);
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

async function readLimited(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy?.();
      throw new AmazonUnavailableError(`Login with Amazon sent a reply larger than ${MAX_BODY_BYTES / 1024} KiB; refusing to read it`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function lwaErrorSuffix(text: string): string {
  const error = parseJson(text)?.error;
  return typeof error === 'string' ? ` (${scrub(error)})` : '';
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  return e?.code ?? e?.message?.split('\n')[0] ?? 'network error';
}

/** Amazon's descriptions are shown to operators: one short line, no token-shaped values. */
function scrub(text: string): string {
  return text
    .replace(/Atz[ar]\|[^\s"]*/g, '***')
    .replace(/amzn1\.oa2-cs\.[^\s"]*/g, '***')
    .replace(/\s+/g, ' ')
    .slice(0, 200);
}
