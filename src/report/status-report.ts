// The status report: when each authorization and client secret expires, and,
// after --check, what Amazon said. Computed once; the table, the JSON, the
// calendar (and any other view) are renderers of it that import this module, never each other.

import { ExitCode, mostUrgent } from '../errors.js';
import type { Config } from '../config/config.js';
import { findProfile } from '../config/lookup.js';
import { appSecretExpiry, authorizationExitCode, clientSecretExitCode, daysLeft, expiryState, type ExpiryState } from '../expiry.js';
import type { CheckResult, LiveCheck } from '../checks/result.js';
import { pendingInvitations } from '../config/invitations.js';

/** By date; with --check, `rejected` (Amazon refused the token) or `unknown` (Amazon could not be asked). */
export type ProfileState = ExpiryState | 'rejected' | 'unknown';
export const PROFILE_STATES: readonly ProfileState[] = ['rejected', 'expired', 'expiring', 'unknown', 'ok'];

export interface ProfileStatus {
  profile: string;
  app: string;
  region: string;
  marketplace: string;
  role: string;
  sellingPartnerId: string;
  /** The seller's store name, as Amazon gave it at the last authorization; absent when not known. */
  storeName?: string;
  authorizedAt: string | null;
  expiresAt: string;
  daysLeft: number;
  state: ProfileState;
  /** --check only: true when Amazon accepted the token (and, --deep, the Sellers API call). */
  checked?: boolean;
  checkedAt?: string | null;
  check?: { result: CheckResult; message: string };
  /** --deep only: marketplaces the Sellers API lists; null when skipped or failed. */
  marketplaces?: string[] | null;
  /** An invitation link (`amz-token invite`) sent for this profile and not used yet; absent when none. */
  invitation?: { id: string; expiresAt: string };
  /** Whom `amz-token remind` mails about this profile (`profile set --email`); absent when nobody. */
  contact?: { email: string; language: string };
  /** The last reminder mailed (`remind --send`); absent when never. */
  reminded?: { sentAt: string; to: string; invitation: string };
}

export interface AppStatus {
  app: string;
  clientSecretExpiresAt: string;
  daysLeft: number;
  state: ExpiryState;
  /** --check only, seller apps: true when Amazon issued a grantless token for the stored secret. */
  checked?: boolean;
  checkedAt?: string | null;
  check?: { result: CheckResult; message: string };
}

export interface StatusReport {
  /** The instant the states are judged at: now, or --at. */
  at: string;
  /** When this report was made (the real clock, even with --at): metrics and the HTML page say how fresh they are. */
  generatedAt: string;
  warnDays: number;
  profiles: ProfileStatus[];
  apps: AppStatus[];
  exitCode: ExitCode;
  /** --check only: each profile's full check result, in `profiles`' order (hints and reasons for the views). */
  checks?: readonly LiveCheck[];
  /** --deep: the checks also called the Sellers API. */
  deep?: boolean;
  /** --check only: each checked app's grantless proof of its client secret, by app name. */
  appChecks?: Readonly<Record<string, LiveCheck>>;
}

/**
 * The pure part of status: config + date in, report out. `only` narrows it to one profile and its app;
 * `generatedAt` is the real time when `at` is another date (--at). With no profile at all the report
 * is still made (its views say so: an empty JSON list, a calendar with only the apps), with exit 5.
 */
export function statusReport(config: Config, at: Date, warnDays: number, only?: string, generatedAt: Date = at): StatusReport {
  const names = only === undefined ? Object.keys(config.profiles).sort() : [only];
  if (only !== undefined) findProfile(config, only);
  const invitations = pendingInvitations(config, generatedAt);
  const profiles = names.map((name): ProfileStatus & { state: ExpiryState } => {
    const p = config.profiles[name]!;
    const expiresAt = new Date(p.expiresAt);
    const invitation = invitations.get(name);
    return {
      profile: name,
      app: p.app,
      region: p.region,
      marketplace: p.marketplace,
      role: p.role,
      sellingPartnerId: p.sellingPartnerId,
      ...(p.identity?.storeName ? { storeName: p.identity.storeName } : {}),
      authorizedAt: p.authorizedAt ?? null,
      expiresAt: expiresAt.toISOString(),
      daysLeft: daysLeft(expiresAt, at),
      state: expiryState(expiresAt, at, warnDays),
      ...(invitation ? { invitation } : {}),
      ...(p.contact ? { contact: { ...p.contact } } : {}),
      ...(p.reminded ? { reminded: { sentAt: p.reminded.sentAt, to: p.reminded.to, invitation: p.reminded.invitation } } : {}),
    };
  });
  const appNames = only === undefined ? Object.keys(config.apps).sort() : [...new Set(profiles.map((p) => p.app))];
  const apps = appNames
    .filter((name) => config.apps[name])
    .map((name): AppStatus => {
      const expires = appSecretExpiry(config.apps[name]!);
      return { app: name, clientSecretExpiresAt: expires.toISOString(), daysLeft: daysLeft(expires, at), state: expiryState(expires, at, warnDays) };
    });
  const exitCode = mostUrgent([
    ...profiles.map((p) => authorizationExitCode(p.state)),
    ...apps.map((a) => clientSecretExitCode(a.state)),
    ...(profiles.length === 0 ? [ExitCode.NOT_FOUND] : []),
  ]);
  return { at: at.toISOString(), generatedAt: generatedAt.toISOString(), warnDays, profiles, apps, exitCode };
}

/** Adds live-check results (one per profile, same order) to a date report; the exit code covers both. */
export function withLiveChecks(report: StatusReport, checks: readonly LiveCheck[], deep: boolean): StatusReport {
  const profiles = report.profiles.map((p, i): ProfileStatus => {
    const check = checks[i]!;
    return {
      ...p,
      state: check.result === 'rejected' ? 'rejected' : check.result === 'unknown' ? 'unknown' : p.state,
      checked: check.result === 'ok',
      checkedAt: check.checkedAt ?? null,
      check: { result: check.result, message: check.message },
      ...(deep ? { marketplaces: check.marketplaces ?? null } : {}),
      ...(!p.storeName && check.storeName ? { storeName: check.storeName } : {}),
    };
  });
  return { ...report, profiles, exitCode: mostUrgent([report.exitCode, ...checks.map((check) => check.exitCode)]), checks, deep };
}

/**
 * When something is due, for lists ordered by what needs action first (the table,
 * the HTML page): a token Amazon rejected is due now, whatever its date; else its expiry.
 */
export function dueTime(state: ProfileState, expiresAt: Date): number {
  return state === 'rejected' ? -Infinity : expiresAt.getTime();
}

/**
 * `status --state`: only the profiles in one of `states` (with their check results).
 * A view, not a verdict: the exit code still covers every profile, so a filter
 * never hides a problem from the script that runs it.
 */
export function withStates(report: StatusReport, states: readonly ProfileState[]): StatusReport {
  const keep = report.profiles.map((p) => states.includes(p.state));
  return {
    ...report,
    profiles: report.profiles.filter((_, i) => keep[i]),
    ...(report.checks ? { checks: report.checks.filter((_, i) => keep[i]) } : {}),
  };
}

/** Adds the apps' secret checks (by app name) to a report; the exit code covers them. */
export function withAppChecks(report: StatusReport, checks: Readonly<Record<string, LiveCheck>>): StatusReport {
  const apps = report.apps.map((a): AppStatus => {
    const check = checks[a.app];
    return check ? { ...a, checked: check.result === 'ok', checkedAt: check.checkedAt ?? null, check: { result: check.result, message: check.message } } : a;
  });
  return { ...report, apps, exitCode: mostUrgent([report.exitCode, ...Object.values(checks).map((check) => check.exitCode)]), appChecks: checks };
}

/** A profile's state by its date alone, whatever a check said (a check's `unknown` hides an expiring date in `state`). */
export function dateState(report: Pick<StatusReport, 'at' | 'warnDays'>, profile: Pick<ProfileStatus, 'expiresAt'>): ExpiryState {
  return expiryState(new Date(profile.expiresAt), new Date(report.at), report.warnDays);
}

/** Due for renewal: its date is inside the warning window or past, or Amazon rejected its token. */
export function needsRenewal(report: Pick<StatusReport, 'at' | 'warnDays'>, profile: ProfileStatus): boolean {
  return profile.state === 'rejected' || dateState(report, profile) !== 'ok';
}

/** What the operator runs to renew a profile's authorization (the seller confirms again). */
export function renewCommand(profile: string): string {
  return `amz-token renew --profile ${profile}`;
}

/** What the operator runs after rotating an app's client secret in the Developer Console. */
export function setSecretCommand(app: string): string {
  return `amz-token app set-secret ${app}`;
}
