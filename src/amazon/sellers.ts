// The Sellers API's GET /sellers/v1/marketplaceParticipations: the cheapest proof that an
// access token works for a seller (`status --check --deep`), and the seller's store name (identity.ts).

import { AmazonUnavailableError, AppCredentialsError, AuthorizationExpiredError } from '../errors.js';
import { MARKETPLACES } from './marketplaces.js';
import { parseJsonObject, retrying, scrub, sendToAmazon, TransientFailure, type Sleep } from './http.js';

export const PARTICIPATIONS_PATH = '/sellers/v1/marketplaceParticipations';
const SELLERS_API = 'the Sellers API';

export interface SellersApiOptions {
  /** e.g. https://sellingpartnerapi-eu.amazon.com */
  origin: string;
  timeoutMs: number;
  retries: number;
  /** For the hint when Amazon refuses the token. */
  profile: string;
  /** The profile's app: named when Amazon says its client secret has expired. */
  app: string;
  sleep?: Sleep;
  /** Aborts the request and its retries (status --check's --deadline). */
  stop?: AbortSignal;
}

/** The marketplaces the authorization covers, as amz-token's country codes (UK, not GB). */
export async function marketplaceParticipations(opts: SellersApiOptions, accessToken: string): Promise<string[]> {
  return (await sellerParticipations(opts, accessToken)).codes;
}

/** The marketplaces, and the seller's store name (the first one Amazon lists). */
export function sellerParticipations(opts: SellersApiOptions, accessToken: string): Promise<{ codes: string[]; storeName?: string }> {
  return retrying(SELLERS_API, { retries: opts.retries, sleep: opts.sleep, stop: opts.stop }, () => attemptOnce(opts, accessToken));
}

async function attemptOnce(opts: SellersApiOptions, accessToken: string): Promise<{ codes: string[]; storeName?: string }> {
  const { status, text } = await sendToAmazon(SELLERS_API, `${opts.origin}${PARTICIPATIONS_PATH}`, {
    method: 'GET',
    headers: { 'x-amz-access-token': accessToken, accept: 'application/json', 'user-agent': 'amz-token (Language=TypeScript)' },
    timeoutMs: opts.timeoutMs,
    stop: opts.stop,
  });
  if (status === 429 || status >= 500) throw new TransientFailure(`HTTP ${status}`);
  const body = parseJsonObject(text);
  if (status === 403 && secretExpired(body)) {
    // The app's problem, not the seller's: renewing would not help (SPAPI.md, LWA client secret rotation).
    throw new AppCredentialsError(
      `the Sellers API says the LWA client secret of app "${opts.app}" has expired (HTTP 403${amazonMessage(body)})`,
      `rotate it in the Developer Console, then run: amz-token app set-secret ${opts.app}`,
    );
  }
  if (status === 401 || status === 403) {
    throw new AuthorizationExpiredError(
      `the Sellers API refused the access token (HTTP ${status}${amazonMessage(body)})`,
      `renew the authorization (also needed after the app gained a role): amz-token renew --profile ${opts.profile}`,
    );
  }
  if (status !== 200) throw new AmazonUnavailableError(`the Sellers API answered HTTP ${status}${amazonMessage(body)}`, undefined, `HTTP ${status}`);
  const payload = body?.payload;
  if (!Array.isArray(payload)) throw new AmazonUnavailableError('the Sellers API answered 200 without a payload list', undefined, 'bad reply');
  const codes: string[] = [];
  let storeName: string | undefined;
  for (const entry of payload as unknown[]) {
    const code = countryCode(entry);
    if (code === undefined) continue;
    if (!codes.includes(code)) codes.push(code);
    const name = (entry as { storeName?: unknown }).storeName;
    if (storeName === undefined && typeof name === 'string' && name.trim() !== '') storeName = name;
  }
  return storeName === undefined ? { codes } : { codes, storeName };
}

function countryCode(entry: unknown): string | undefined {
  const e = entry as { marketplace?: { id?: unknown; countryCode?: unknown }; participation?: { isParticipating?: unknown } } | null;
  if (e?.participation?.isParticipating === false) return undefined;
  const known = MARKETPLACES.find((m) => m.marketplaceId === e?.marketplace?.id);
  if (known) return known.code;
  const raw = e?.marketplace?.countryCode;
  return typeof raw === 'string' && /^[A-Z]{2}$/.test(raw) ? raw : undefined;
}

/** "The LWA secret token you provided has expired." in an error's details (or message). */
function secretExpired(body: Record<string, unknown> | undefined): boolean {
  const errors = Array.isArray(body?.errors) ? (body.errors as Array<{ message?: unknown; details?: unknown } | null>) : [];
  return errors.some((error) => [error?.details, error?.message].some((text) => typeof text === 'string' && /LWA secret token .*expired/i.test(text)));
}

/** SP-API errors look like {"errors":[{"code","message","details"}]}. */
function amazonMessage(body: Record<string, unknown> | undefined): string {
  const first = Array.isArray(body?.errors) ? (body.errors[0] as { code?: unknown; message?: unknown; details?: unknown } | undefined) : undefined;
  const parts = [first?.code, first?.message].filter((part): part is string => typeof part === 'string' && part !== '');
  const details = typeof first?.details === 'string' && first.details !== '' ? ` (${first.details})` : '';
  return parts.length ? `: ${scrub(parts.join(': ') + details)}` : '';
}
