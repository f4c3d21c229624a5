// The base URL serve answers under (https://HOST/PATH): from --base-url,
// AMZ_TOKEN_BASE_URL or config.json's "baseUrl", in that order. Invitation
// links, the Redirect URI (<base>/callback) and the Login URI (<base>/login) hang off it.

import { UsageError } from '../errors.js';
import type { Config } from '../config/config.js';

export interface BaseUrl {
  /** Without a trailing slash: `${href}/callback` is the Redirect URI. */
  href: string;
  /** The path part, '' for the root; serve's routes live under it. */
  path: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseBaseUrl(value: string, source: string): BaseUrl {
  if (!URL.canParse(value)) throw new UsageError(`${source} "${value.slice(0, 80)}" is not an absolute URL`, 'e.g. https://auth.example.com/amz-token');
  const url = new URL(value);
  // Amazon takes only https Redirect and Login URIs; plain http only for a test on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new UsageError(`${source} must be an https URL (Amazon accepts no other), got ${url.protocol}//`);
  }
  if (url.username || url.password || url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new UsageError(`${source} must not carry a user name, a query or a fragment`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9._~-]+)*$/.test(path)) throw new UsageError(`${source}: the path may hold only letters, digits and . _ ~ - between single slashes`);
  return { href: `${url.origin}${path}`, path };
}

export function chooseBaseUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, config: Pick<Config, 'baseUrl'>): BaseUrl {
  if (flag !== undefined) return parseBaseUrl(flag, '--base-url');
  const fromEnv = env.AMZ_TOKEN_BASE_URL?.trim();
  if (fromEnv) return parseBaseUrl(fromEnv, 'AMZ_TOKEN_BASE_URL');
  if (config.baseUrl) return parseBaseUrl(config.baseUrl, '"baseUrl" in config.json');
  throw new UsageError('no base URL: where does amz-token serve answer?', 'pass --base-url https://HOST/PATH, set AMZ_TOKEN_BASE_URL, or save it once: amz-token config set base-url https://HOST/PATH');
}
