// `status --check [--deep]`: proves each profile works now, with a refresh grant
// at LWA (and, --deep, one Sellers API call), a few profiles at a time. Every
// failure becomes that profile's result: one broken profile stops no other check.

import {
  AmazonUnavailableError,
  AmzTokenError,
  AppCredentialsError,
  AuthorizationExpiredError,
  ExitCode,
  NotFoundError,
  StoreUnavailableError,
  UsageError,
} from '../errors.js';
import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { looksLikeSecret } from '../validate.js';
import { clientSecretOf } from '../secrets/credentials.js';
import { refreshGrant } from '../secrets/refresh-grant.js';
import { HTTP_RETRIES, httpTimeoutMs, lwaOptions, spApiOriginFor } from '../amazon/endpoints.js';
import { sellerParticipations } from '../amazon/sellers.js';
import { mapConcurrently } from './concurrency.js';
import type { LiveCheck, LiveCheckOptions } from './result.js';

export type { CheckResult, LiveCheck, LiveCheckOptions } from './result.js';

export const VENDOR_SKIP = 'vendor tokens cannot call the Sellers API';

/** Checks `profiles` (names in `config`); resolves with one result per profile, in order. */
export async function runLiveChecks(deps: Deps, config: Config, profiles: readonly string[], opts: LiveCheckOptions): Promise<LiveCheck[]> {
  refuseOverridesForMany(deps, config, profiles);
  // Read once, up front: a bad value is a usage error, not fifty failed checks.
  const lwa = lwaOptions(deps.env);
  const timeoutMs = httpTimeoutMs(deps.env);
  if (opts.deep) spApiOriginFor(deps.env, 'eu');
  // One keychain opening and one secret read per app, however many profiles share it.
  const shared: Deps = { ...deps, secretStore: once(deps.secretStore) };
  const secrets = new Map<string, Promise<string>>();
  const clientSecret = (app: string) => {
    let secret = secrets.get(app);
    if (!secret) secrets.set(app, (secret = clientSecretOf(shared, app)));
    return secret;
  };

  // However Amazon fails, the run ends: at the deadline (checks under way are
  // aborted), or once several profiles in a row found Amazon unreachable.
  const deadline = AbortSignal.timeout(opts.deadlineSeconds * 1000);
  const outage = new Outage();
  const notChecked = (): LiveCheck | undefined =>
    deadline.aborted
      ? unknownResult(`not checked: the --deadline of ${opts.deadlineSeconds} s passed`, 'deadline')
      : outage.declared
        ? unknownResult(`not checked: Amazon failed for ${OUTAGE_AFTER} profiles in a row; stopped checking`, 'not checked')
        : undefined;

  const checks = await mapConcurrently(profiles, opts.concurrency, async (profile): Promise<LiveCheck> => {
    const result = await checkUnlessStopped(profile);
    return { ...result, finishedAt: deps.now().toISOString() };
  });
  if (opts.deep && checks.some((check) => check.storeName)) {
    const { recordLearnedIdentities } = await import('./learned-identity.js');
    await recordLearnedIdentities(deps, profiles, checks);
  }
  return checks;

  async function checkUnlessStopped(profile: string): Promise<LiveCheck> {
    const skipped = notChecked();
    if (skipped) return { ...skipped, ...(opts.deep ? { marketplaces: null } : {}) };
    // A store call that hangs (a keychain waiting on an unlock prompt) cannot be aborted: the check is abandoned at the deadline.
    const check = await Promise.race([checkOne(profile), whenAborted(deadline, (): LiveCheck => unknownResult('', 'deadline'))]);
    if (check.result === 'unknown' && deadline.aborted) {
      return { ...unknownResult(`not finished: the --deadline of ${opts.deadlineSeconds} s passed`, 'deadline'), ...(opts.deep ? { marketplaces: null } : {}) };
    }
    outage.record(check);
    return check;
  }

  async function checkOne(profile: string): Promise<LiveCheck> {
    try {
      const { accessToken } = await refreshGrant(shared, config, profile, { lwa: { ...lwa, stop: deadline }, clientSecret });
      const checkedAt = deps.now().toISOString();
      if (!opts.deep) return { result: 'ok', message: 'Amazon issued an access token', exitCode: ExitCode.OK, checkedAt };
      const record = config.profiles[profile]!;
      if (record.role === 'vendor') {
        return { result: 'ok', message: `Amazon issued an access token; --deep skipped: ${VENDOR_SKIP}`, exitCode: ExitCode.OK, checkedAt, marketplaces: null, deepSkipped: VENDOR_SKIP };
      }
      const origin = spApiOriginFor(deps.env, record.region);
      const { codes: marketplaces, storeName } = await sellerParticipations({ origin, timeoutMs, retries: HTTP_RETRIES, profile, app: record.app, stop: deadline }, accessToken);
      const listed = marketplaces.length ? marketplaces.join(', ') : 'no marketplace';
      return { result: 'ok', message: `Amazon issued an access token; the Sellers API lists ${listed}`, exitCode: ExitCode.OK, checkedAt, marketplaces, ...(storeName ? { storeName } : {}) };
    } catch (error) {
      return { ...failed(error), ...(opts.deep ? { marketplaces: null } : {}) };
    }
  }
}

/** Resolves with `value()` once `signal` aborts (never, if it does not). */
function whenAborted<T>(signal: AbortSignal, value: () => T): Promise<T> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(value());
    else signal.addEventListener('abort', () => resolve(value()), { once: true });
  });
}

/** After this many profiles in a row found Amazon unreachable, the rest are not tried: 200 profiles must not cost 200 × 3 timeouts. */
export const OUTAGE_AFTER = 3;

/** Counts profiles in a row for which Amazon was unreachable; any other answer from Amazon resets it. */
class Outage {
  private inARow = 0;
  declared = false;

  record(check: LiveCheck): void {
    if (check.result === 'unknown') this.inARow += 1;
    else if (check.result !== 'store-unavailable' && check.result !== 'not-found' && check.result !== 'failed') this.inARow = 0;
    if (this.inARow >= OUTAGE_AFTER) this.declared = true;
  }
}

function unknownResult(message: string, reason: string): LiveCheck {
  return { result: 'unknown', message, hint: 'check the network, or retry later', exitCode: ExitCode.AMAZON_UNAVAILABLE, reason };
}

/** The check result for anything a check threw. */
export function failed(error: unknown): LiveCheck {
  if (!(error instanceof AmzTokenError)) {
    const text = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { result: 'failed', message: `internal error: ${looksLikeSecret(text) ? '(message withheld)' : text}`, exitCode: ExitCode.INTERNAL };
  }
  const base = { message: error.message, exitCode: error.exitCode, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof AuthorizationExpiredError) return { result: 'rejected', ...base };
  if (error instanceof AppCredentialsError) return { result: 'app-rejected', ...base };
  if (error instanceof AmazonUnavailableError) return { result: 'unknown', ...base, reason: shortReason(error.reason) };
  if (error instanceof StoreUnavailableError) return { result: 'store-unavailable', ...base };
  if (error instanceof NotFoundError) return { result: 'not-found', ...base };
  return { result: 'failed', ...base };
}

/** "HTTP 503 (temporarily_unavailable)" -> "HTTP 503"; "server_error: ..." -> "server_error". */
function shortReason(reason: string | undefined): string {
  return (reason ?? 'failing').split(/ \(|: /)[0]!;
}

/** The CI overrides replace one profile's token and one app's secret; applied to many they would prove nothing. */
function refuseOverridesForMany(deps: Deps, config: Config, profiles: readonly string[]): void {
  if (deps.env.AMZ_TOKEN_REFRESH_TOKEN?.trim() && profiles.length > 1) {
    throw new UsageError('AMZ_TOKEN_REFRESH_TOKEN overrides the refresh token of one profile, but this check covers several', 'pass --profile <name>, or unset it');
  }
  const apps = new Set(profiles.map((p) => config.profiles[p]?.app));
  if (deps.env.AMZ_TOKEN_CLIENT_SECRET?.trim() && apps.size > 1) {
    throw new UsageError('AMZ_TOKEN_CLIENT_SECRET overrides the client secret of one app, but these profiles belong to several', 'pass --profile <name>, or unset it');
  }
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
