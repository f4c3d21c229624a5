// Reading what comes back from Amazon: the redirect URI's query (code or Login URI
// detour) and whatever the operator pastes into the terminal. Pure; never throws.

import { UNSAFE_FOR_TERMINAL } from '../terminal-text.js';

export type CallbackQuery =
  | { kind: 'code'; state: string; code: string; sellingPartnerId?: string }
  | { kind: 'login'; amazonCallbackUri: string; amazonState: string; sellingPartnerId?: string; version?: string }
  | { kind: 'error'; reason: string };

export type PastedInput =
  | { kind: 'url'; query: CallbackQuery }
  | { kind: 'code'; code: string }
  | { kind: 'empty' }
  | { kind: 'invalid'; reason: string };

const KNOWN_PARAMETERS = [
  'state',
  'spapi_oauth_code',
  'selling_partner_id',
  'mws_auth_token',
  'amazon_callback_uri',
  'amazon_state',
  'version',
  'error',
  'error_description',
] as const;

export const MAX_PARAMETER_LENGTH = 2048;
// Far above any real callback URL; keeps a pasted novel from being parsed at all.
const MAX_PASTED_LENGTH = 16 * 1024;
// What an spapi_oauth_code looks like. Every one in Amazon's own material is "AN"
// and 18 letters, 20 characters in all: ANDMxqpCmqWHJeyzdbMH (the Authorization
// API model in amzn/selling-partner-api-models), ANdNAVhyhqirUelHGEHA and
// ANBzsjhYZmNCTeAszagk (Login with Amazon's documented samples), and a real
// SP-API callback, ANguBsBZaSEMZPZXTmjs. A bare paste must match it exactly
// (digits allowed, in case): a stray word or a code cut short is then no code,
// and is never sent to LWA. Codes inside a pasted address are not held to it:
// should Amazon change the format, the whole address still works.
const BARE_CODE = /^AN[A-Za-z0-9]{18}$/;
const CUT_SHORT_CODE = /^AN[A-Za-z0-9]{6,17}$/;

export function parseCallbackQuery(search: URLSearchParams): CallbackQuery {
  try {
    return parseChecked(search);
  } catch {
    // Unreachable with a real URLSearchParams; the contract is "never throws".
    return { kind: 'error', reason: 'the callback query could not be read' };
  }
}

function parseChecked(search: URLSearchParams): CallbackQuery {
  for (const name of KNOWN_PARAMETERS) {
    // A repeated parameter means someone built this URL by hand: which copy is real?
    if (search.getAll(name).length > 1) return error(`the callback repeats the ${name} parameter`);
  }
  for (const [name, value] of search) {
    if (value.length > MAX_PARAMETER_LENGTH) {
      const which = isKnown(name) ? `the ${name} parameter` : 'a parameter';
      return error(`${which} of the callback is longer than ${MAX_PARAMETER_LENGTH} characters`);
    }
  }

  const amazonError = search.get('error');
  const amazonErrorDescription = search.get('error_description');
  if (amazonError !== null || amazonErrorDescription !== null) {
    const detail = [amazonError, amazonErrorDescription]
      .filter((part): part is string => part !== null && part !== '')
      .map((part) => quoteForTerminal(part))
      .join(': ');
    return error(detail === '' ? 'Amazon reported an error without details' : `Amazon reported an error: ${detail}`);
  }

  const sellingPartnerId = nonEmpty(search.get('selling_partner_id'));
  const code = nonEmpty(search.get('spapi_oauth_code'));
  if (code !== undefined) {
    const state = nonEmpty(search.get('state'));
    if (state === undefined) return error('the callback has spapi_oauth_code but no state');
    return { kind: 'code', state, code, ...optional('sellingPartnerId', sellingPartnerId) };
  }

  const amazonCallbackUri = nonEmpty(search.get('amazon_callback_uri'));
  const amazonState = nonEmpty(search.get('amazon_state'));
  if (amazonCallbackUri !== undefined || amazonState !== undefined) {
    if (amazonCallbackUri === undefined) return error('the Login URI step has amazon_state but no amazon_callback_uri');
    if (amazonState === undefined) return error('the Login URI step has amazon_callback_uri but no amazon_state');
    const version = nonEmpty(search.get('version'));
    return {
      kind: 'login',
      amazonCallbackUri,
      amazonState,
      ...optional('sellingPartnerId', sellingPartnerId),
      ...optional('version', version),
    };
  }

  return error('the callback has no spapi_oauth_code');
}

export function parsePasted(input: string): PastedInput {
  try {
    return parsePastedChecked(input);
  } catch {
    return { kind: 'invalid', reason: 'the pasted text could not be read' };
  }
}

function parsePastedChecked(input: string): PastedInput {
  const text = String(input).trim();
  if (text === '') return { kind: 'empty' };
  if (text.length > MAX_PASTED_LENGTH) return { kind: 'invalid', reason: 'the pasted text is far too long for a callback address' };

  if (/^https?:\/\//i.test(text)) {
    if (!URL.canParse(text)) return { kind: 'invalid', reason: 'the pasted address is not a valid URL' };
    return { kind: 'url', query: parseCallbackQuery(new URL(text).searchParams) };
  }
  if (text.startsWith('?') || text.includes('spapi_oauth_code=')) {
    // Also takes an address without its scheme ("127.0.0.1:8765/callback?state=...").
    const queryStart = text.indexOf('?');
    const query = queryStart === -1 ? text : text.slice(queryStart + 1);
    return { kind: 'url', query: parseCallbackQuery(new URLSearchParams(withoutFragment(query))) };
  }
  if (BARE_CODE.test(text)) return { kind: 'code', code: text };
  if (CUT_SHORT_CODE.test(text)) {
    return { kind: 'invalid', reason: "that looks like an authorization code cut short (Amazon's have 20 characters); paste the whole address from the browser" };
  }
  return {
    kind: 'invalid',
    reason: 'that is neither the address from the browser nor an authorization code',
  };
}

function withoutFragment(query: string): string {
  const hash = query.indexOf('#');
  return hash === -1 ? query : query.slice(0, hash);
}

function error(reason: string): CallbackQuery {
  return { kind: 'error', reason };
}

function isKnown(name: string): boolean {
  return (KNOWN_PARAMETERS as readonly string[]).includes(name);
}

function nonEmpty(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}

// An absent field stays absent rather than present-but-undefined, so that
// toEqual and JSON output tell "Amazon sent none" apart from nothing at all.
function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/**
 * Amazon's error text is attacker-controllable (anyone can craft the URL): keep
 * it short and strip anything that could move a terminal cursor or forge a line.
 */
export function quoteForTerminal(value: string, max = 120): string {
  const chars = Array.from(value);
  const clipped = chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
  const printable = clipped.replace(/["\\]/g, '\\$&').replace(UNSAFE_FOR_TERMINAL, (char) =>
    `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${printable}"`;
}
