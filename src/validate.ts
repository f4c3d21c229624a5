// Checks for what operators type: names, Amazon id formats, dates, numbers.
// Each failure is a UsageError (exit 2) that names the flag and the rule.

import { parseISO } from 'date-fns/parseISO';
import { isValid } from 'date-fns/isValid';
import { format } from 'date-fns/format';
import { AUTHORIZATION_LIFETIME_DAYS } from './expiry.js';
import { UsageError } from './errors.js';
import { printable } from './terminal-text.js';
import { findMarketplace, isRegion, MARKETPLACES, type Marketplace, type Region } from './amazon/marketplaces.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** NAME in words: the whole rule, so that `..` and `-x` are refused with a reason that fits them. */
const NAME_RULE = "start with a letter or digit, then use letters, digits, '.', '_' and '-' (at most 64 characters in all)";
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const APP_ID = new RegExp(`^amzn1\\.(sp\\.solution|sellerapps\\.app)\\.${UUID}$`);
const CLIENT_ID = /^amzn1\.application-oa2-client\.[0-9a-f]{16,64}$/;
const SELLING_PARTNER_ID = /^[A-Z0-9]{6,32}$/;
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function profileName(value: string, flag = '--profile'): string {
  if (!NAME.test(value)) throw new UsageError(`${flag} "${clip(value)}" is not a valid name: ${NAME_RULE}`);
  return value;
}

export function appName(value: string, what = 'app name'): string {
  if (!NAME.test(value)) throw new UsageError(`${what} "${clip(value)}" is not valid: ${NAME_RULE}`);
  return value;
}

// Where Seller Central shows the two ids, for operators who swapped them: the
// client id given as application_id is a known cause of Amazon's MD1000.
const WHERE_APP_ID = "the application id (amzn1.sp.solution.…) is under the app's name on Seller Central's Develop Apps page (Apps and Services > Develop Apps)";
const WHERE_CLIENT_ID = "the LWA client id (amzn1.application-oa2-client.…) is under LWA credentials > View on Seller Central's Develop Apps page";

export function applicationId(value: string, flag = '--app-id'): string {
  if (CLIENT_ID.test(value)) throw new UsageError(`${flag} "${clip(value)}" is the LWA client id, not the application id (Amazon answers MD1000)`, WHERE_APP_ID);
  if (!APP_ID.test(value)) {
    throw new UsageError(`${flag} "${clip(value)}" is not an SP-API application id (amzn1.sp.solution.<uuid>)`, WHERE_APP_ID);
  }
  return value;
}

export function clientId(value: string, flag = '--client-id'): string {
  if (APP_ID.test(value)) throw new UsageError(`${flag} "${clip(value)}" is the application id, not the LWA client id`, WHERE_CLIENT_ID);
  if (!CLIENT_ID.test(value)) {
    throw new UsageError(`${flag} "${clip(value)}" is not an LWA client id (amzn1.application-oa2-client.<hex>)`, WHERE_CLIENT_ID);
  }
  return value;
}

export function sellingPartnerId(value: string, flag = '--selling-partner-id'): string {
  if (!SELLING_PARTNER_ID.test(value)) {
    throw new UsageError(`${flag} "${clip(value)}" is not a selling partner id (upper-case letters and digits, e.g. A3EXAMPLE12345)`);
  }
  return value;
}

/** Redirect URIs Amazon accepts are https; loopback http is allowed for local setups and tests. */
export function redirectUri(value: string, flag = '--redirect-uri'): string {
  let url: URL;
  // Control characters and spaces: the URL parser would quietly drop or encode them, but the raw text is what gets printed.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) throw new UsageError(`${flag} "${clip(value)}" contains spaces or control characters`);
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${clip(value)}" is not an absolute URL`);
  }
  if (url.hash || value.includes('#')) throw new UsageError(`${flag} must not contain a #fragment (Amazon rejects it: MD5110)`);
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`${flag} must be https (or http on 127.0.0.1 or localhost), got ${url.protocol}//`);
  }
  const problem = loopbackRedirectProblem(url);
  if (problem) throw new UsageError(`${flag} ${clip(value)}: ${problem.problem}; use ${problem.instead} instead`);
  return value;
}

/** The port a loopback redirect URI gets when it names none, and the lowest one a user may listen on. */
const FIRST_UNPRIVILEGED_PORT = 1024;
const SUGGESTED_LOOPBACK_PORT = 47613;

/**
 * Why the callback server cannot listen at an http loopback redirect URI, with
 * one it can; undefined when it can (or the URI is not loopback http). app add
 * and request share it, so that app add refuses what request would refuse later.
 */
export function loopbackRedirectProblem(url: URL): { problem: string; instead: string } | undefined {
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return undefined;
  const port = Number(url.port || 80);
  const path = `${url.pathname}${url.search}`;
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    return { problem: 'the callback server listens on 127.0.0.1 only', instead: `http://127.0.0.1:${url.port || SUGGESTED_LOOPBACK_PORT}${path}` };
  }
  // Port 0 would be a random port Amazon cannot know; ports below 1024 need root.
  if (port < FIRST_UNPRIVILEGED_PORT) {
    return { problem: `a loopback redirect URI needs a port from ${FIRST_UNPRIVILEGED_PORT} to 65535 (below that needs root; 0 is no port)`, instead: `http://${url.hostname}:${SUGGESTED_LOOPBACK_PORT}${path}` };
  }
  return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

export function region(value: string): Region {
  const lower = value.toLowerCase();
  if (!isRegion(lower)) throw new UsageError(`--region "${clip(value)}" is not a region: use na, eu or fe`);
  return lower;
}

export function marketplace(value: string, flag = '--marketplace'): Marketplace {
  const found = findMarketplace(value);
  if (!found) {
    throw new UsageError(`${flag} "${clip(value)}" is not a known marketplace; use one of ${MARKETPLACES.map((m) => m.code).join(', ')}`);
  }
  return found;
}

/** A region given alongside a marketplace must be the marketplace's own. */
export function regionOfMarketplace(found: Marketplace, given: Region, flag = '--region'): Region {
  if (found.region !== given) {
    throw new UsageError(`marketplace ${found.code} belongs to region ${found.region}, not ${given} (${flag})`, `use ${found.region}, or leave the region out: it follows from the marketplace`);
  }
  return given;
}

/** YYYY-MM-DD (local midnight) or an ISO 8601 date-time; anything else is refused. */
export function date(value: string, flag: string): Date {
  const parsed = DATE.test(value.trim()) ? parseISO(value.trim()) : new Date(Number.NaN);
  if (!isValid(parsed)) throw new UsageError(`${flag} "${clip(value)}" is not a date: use YYYY-MM-DD or an ISO 8601 date-time`);
  return parsed;
}

// Machines' clocks differ by a little; a date a few minutes ahead is a clock, not a typo.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A date that says when something happened (an authorization, a secret's creation): today at the latest. */
export function notInFuture(value: Date, now: Date, flag: string): Date {
  if (value.getTime() - now.getTime() > CLOCK_SKEW_MS) {
    throw new UsageError(`${flag} ${shownDate(value)} is in the future`, `give the date it happened, ${format(now, 'yyyy-MM-dd')} at the latest`);
  }
  return value;
}

/** An authorization's expiry: at most 365 days after now, since it lasts 365 days from the authorization. */
export function plausibleExpiry(value: Date, now: Date, flag: string): Date {
  const latest = now.getTime() + AUTHORIZATION_LIFETIME_DAYS * DAY_MS;
  if (value.getTime() - latest > CLOCK_SKEW_MS) {
    throw new UsageError(
      `${flag} ${shownDate(value)} is more than ${AUTHORIZATION_LIFETIME_DAYS} days away, but an authorization lasts ${AUTHORIZATION_LIFETIME_DAYS} days`,
      `an authorization made now expires ${format(new Date(latest), 'yyyy-MM-dd')}; give the real expiry, or --authorized-at`,
    );
  }
  return value;
}

/** A date as the operator probably typed it: the day alone at local midnight, else day and time. */
function shownDate(value: Date): string {
  const midnight = value.getHours() === 0 && value.getMinutes() === 0 && value.getSeconds() === 0 && value.getMilliseconds() === 0;
  return format(value, midnight ? 'yyyy-MM-dd' : 'yyyy-MM-dd HH:mm');
}

/**
 * A whole number from `min` to `max`. The message is made from the same bounds
 * the check uses, so it can never state a range the check does not enforce.
 */
export function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${clip(value)}"`);
  }
  return number;
}

/** A TCP port; 0 (any free port) only where the caller allows it. */
export function portNumber(value: string, flag = '--port', lowest = 0): number {
  return wholeNumber(value, flag, lowest, 65535);
}

/** Echoes user input in errors without letting a pasted blob flood the terminal. */
function clip(value: string): string {
  if (looksLikeSecret(value)) return '<redacted>';
  const flat = printable(value);
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** Refresh tokens, access tokens and client secrets have fixed prefixes. */
export function looksLikeSecret(value: string): boolean {
  return /Atz[ra]\||amzn1\.oa2-cs\./.test(value);
}

/**
 * An SQS queue URL: http(s)://host[:port]/<account id>/<queue name>, as the AWS console shows it
 * (https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets). http only for a local server.
 */
export function queueUrl(value: string, flag = '--queue-url'): string {
  const example = 'e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/amz-token-secrets';
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) throw new UsageError(`${flag} "${clip(value)}" contains spaces or control characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${clip(value)}" is not a URL`, example);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new UsageError(`${flag} must be an https URL (http only for a local SQS server), got "${clip(value)}"`, example);
  }
  if (!/^\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(url.pathname) || url.search || url.hash || url.username || url.password) {
    throw new UsageError(`${flag} "${clip(value)}" is not an SQS queue URL (/<12-digit account id>/<queue name>)`, example);
  }
  return value;
}

/** The AWS region an SQS queue URL names (sqs.<region>.amazonaws.com, or the legacy <region>.queue.amazonaws.com), if any. */
export function queueRegion(value: string): string | undefined {
  const host = new URL(value).hostname;
  return /^(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.(?:queue\.)?amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}
