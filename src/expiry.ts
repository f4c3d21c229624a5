// Expiry rules: an authorization lasts 365 days, an LWA client secret 180
// days, and both warn inside a window before the date (SPAPI.md, "Expiry").

import { ExitCode } from './errors.js';
import { formatDate, relative, wholeDays } from './dates.js';

export const AUTHORIZATION_LIFETIME_DAYS = 365;
export const CLIENT_SECRET_LIFETIME_DAYS = 180;
export const DEFAULT_WARN_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ExpiryState = 'ok' | 'expiring' | 'expired';

// Amazon counts 365 days of 24 hours. Plain milliseconds keep that exact: a
// local-calendar addDays() would move the instant by the DST hour, so the
// same profile would expire at a different moment on a machine in Berlin.
/** When an authorization made at `authorizedAt` lapses. */
export function authorizationExpiry(authorizedAt: Date): Date {
  return new Date(authorizedAt.getTime() + AUTHORIZATION_LIFETIME_DAYS * DAY_MS);
}

/** When a client secret created at `createdAt` stops working. */
export function clientSecretExpiry(createdAt: Date): Date {
  return new Date(createdAt.getTime() + CLIENT_SECRET_LIFETIME_DAYS * DAY_MS);
}

/** When an app's current client secret stops working: the date Amazon stated, else 180 days after it was created. */
export function appSecretExpiry(app: { clientSecretCreatedAt: string; clientSecretExpiresAt?: string }): Date {
  return app.clientSecretExpiresAt ? new Date(app.clientSecretExpiresAt) : clientSecretExpiry(new Date(app.clientSecretCreatedAt));
}

/** Whole days left until expiry, as every view counts them (see wholeDays); negative once a day past it. */
export function daysLeft(expiresAt: Date, at: Date): number {
  return wholeDays(expiresAt, at);
}

/**
 * expired from the expiry instant on; expiring while at most `warnDays` days
 * remain (the window's first instant included); ok before that.
 */
export function expiryState(expiresAt: Date, at: Date, warnDays: number): ExpiryState {
  const remaining = expiresAt.getTime() - at.getTime();
  if (remaining <= 0) return 'expired';
  if (remaining <= warnDays * DAY_MS) return 'expiring';
  return 'ok';
}

/** The exit code status uses for an authorization's state. */
export function authorizationExitCode(state: ExpiryState): ExitCode {
  return state === 'expired' ? ExitCode.EXPIRED : state === 'expiring' ? ExitCode.EXPIRING : ExitCode.OK;
}

/** The exit code status uses for a client secret's state: an expired secret breaks the app (9). */
export function clientSecretExitCode(state: ExpiryState): ExitCode {
  return state === 'expired' ? ExitCode.APP_REJECTED : state === 'expiring' ? ExitCode.EXPIRING : ExitCode.OK;
}

/**
 * What `token`, `exec` and `env` say on stderr (and still hand out the token)
 * when the recorded expiry is near or past; undefined while it is not.
 */
export function recordedExpiryNotice(profile: string, expiresAt: Date, at: Date): string | undefined {
  const state = expiryState(expiresAt, at, DEFAULT_WARN_DAYS);
  if (state === 'expiring') return `${profile} expires ${relative(expiresAt, at)}; run: amz-token renew --profile ${profile}`;
  if (state === 'expired') {
    return `${profile} is past its recorded expiry, yet Amazon still accepts it; if it was renewed elsewhere, re-import it with the new date`;
  }
  return undefined;
}

/**
 * What add, set-secret and set say when the given creation date puts the secret
 * past its 180 days already (import says the same of an expired authorization).
 */
export function expiredClientSecretWarning(name: string, createdAt: Date, now: Date): string | undefined {
  const expiresAt = clientSecretExpiry(createdAt);
  if (expiresAt.getTime() > now.getTime()) return undefined;
  return (
    `warning: this client secret expired on ${formatDate(expiresAt, now)}, ${CLIENT_SECRET_LIFETIME_DAYS} days after it was created; LWA rejects it (status exits 9). ` +
    `If the date is wrong, correct it: amz-token app set ${name} --secret-created <date>; else rotate the secret in the Developer Console and run: amz-token app set-secret ${name}`
  );
}
