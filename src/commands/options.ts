// Flag parsers shared by several commands. Each turns the raw text into a typed
// value where the flag is declared (commander's argParser), so a run function
// never sees a string it still has to check; a bad value is a UsageError (exit 2).

import { Option } from '@commander-js/extra-typings';
import * as validate from '../validate.js';
import { DEFAULT_MIN_TTL_MINUTES, MAX_MIN_TTL_MINUTES } from '../job/min-ttl.js';

/** A whole number from `min` to `max`. */
export function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => validate.wholeNumber(value, flag, min, max);
}

export function dateOf(flag: string): (value: string) => Date {
  return (value) => validate.date(value, flag);
}

export const appNameOf = (flag: string) => (value: string) => validate.appName(value, flag);

/** The longest --timeout: an hour of waiting for the seller. */
const MAX_TIMEOUT_SECONDS = 3600;

/** --port, --timeout, --no-browser and --force, shared by request and renew. */
export const flowOptions = {
  noBrowser: () => new Option('--no-browser', 'print the consent URL instead of opening a browser (SSH, containers)'),
  port: () => new Option('--port <n>', 'port on 127.0.0.1 where the relay page sends the browser back (default: 47613); a loopback redirect URI sets its own').argParser((v) => validate.portNumber(v)),
  timeout: () => new Option('--timeout <seconds>', 'give up waiting for the seller after this long').argParser(wholeNumber('--timeout', 1, MAX_TIMEOUT_SECONDS)).default(300),
  // No .default(false): commander would print "(default: false)" for a switch.
  force: () => new Option('--force', "replace an existing profile (request), or store a grant Amazon does not confirm as the profile's seller's, a vendor's included (renew)"),
};

/** --app-id, --client-id and --redirect-uri, declared once for app add and app set so both refuse the same values. */
export const appFlags = {
  appId: () => new Option('--app-id <id>', 'SP-API application id (amzn1.sp.solution.…)').argParser((v) => validate.applicationId(v)),
  clientId: () => new Option('--client-id <id>', 'LWA client id (amzn1.application-oa2-client.…)').argParser((v) => validate.clientId(v)),
  redirectUri: () => new Option('--redirect-uri <uri>', 'the OAuth redirect URI registered for the app').argParser((v) => validate.redirectUri(v)),
};

export { DEFAULT_MIN_TTL_MINUTES };

/** --lwa-credentials and --min-ttl, shared by exec and env. */
export const credentialOptions = {
  lwaCredentials: () =>
    new Option('--lwa-credentials', 'also hand over the client id, client secret and refresh token, under the names the common SP-API libraries read'),
  minTtl: () =>
    new Option('--min-ttl <minutes>', `hand over an access token with at least this many minutes left (0-${MAX_MIN_TTL_MINUTES}); a cached one with less is replaced`)
      .argParser(wholeNumber('--min-ttl', 0, MAX_MIN_TTL_MINUTES))
      .default(DEFAULT_MIN_TTL_MINUTES),
};
