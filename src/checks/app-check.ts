// `status --check` also proves each app's client secret. A profile's check already does
// (LWA authenticates the client before it looks at the refresh token: `ok` and `rejected`
// both mean the secret works; `app-rejected` means it does not). An app that no profile
// proved gets a grantless token request (client_credentials), which needs no seller: an
// expired or wrong secret then shows even for an app with no working profile.
// Grantless grants are for seller apps only: a vendor-only app without proof stays unchecked.

import { ExitCode } from '../errors.js';
import type { Deps } from '../deps.js';
import type { Config } from '../config/config.js';
import { lwaOptions } from '../amazon/endpoints.js';
import { grantlessToken } from '../secrets/grantless-token.js';
import { failed } from './live-check.js';
import type { LiveCheck } from './result.js';

export interface ProfileCheck {
  profile: string;
  app: string;
  check: LiveCheck;
}

/** One result per app that could be judged, by app name; a failure is that app's result, never the run's. */
export async function checkAppSecrets(
  deps: Deps,
  config: Config,
  apps: readonly string[],
  profileChecks: readonly ProfileCheck[],
  opts: { deadlineSeconds: number },
): Promise<Record<string, LiveCheck>> {
  const lwa = { ...lwaOptions(deps.env), stop: AbortSignal.timeout(opts.deadlineSeconds * 1000) };
  const results: Record<string, LiveCheck> = {};
  for (const app of apps) {
    const mine = profileChecks.filter((p) => p.app === app);
    const proof = mine.find((p) => p.check.result === 'ok' || p.check.result === 'rejected');
    const refused = mine.find((p) => p.check.result === 'app-rejected');
    const unknown = mine.find((p) => p.check.result === 'unknown');
    if (refused) results[app] = refused.check;
    else if (proof) results[app] = { result: 'ok', message: `Login with Amazon accepted the client secret (check of ${proof.profile})`, exitCode: ExitCode.OK, ...(proof.check.checkedAt ? { checkedAt: proof.check.checkedAt } : {}) };
    // Amazon could not be asked for the profiles (outage, deadline): not asked again for the app.
    else if (unknown) results[app] = unknown.check;
    else if (isSellerApp(config, app)) results[app] = await grantlessProof(deps, config, app, lwa);
  }
  return results;
}

/** Used by no profile, or by a seller profile: grantless grants work for it. */
function isSellerApp(config: Config, app: string): boolean {
  const roles = Object.values(config.profiles).filter((p) => p.app === app).map((p) => p.role);
  return roles.length === 0 || roles.includes('seller');
}

async function grantlessProof(deps: Deps, config: Config, app: string, lwa: ReturnType<typeof lwaOptions> & { stop: AbortSignal }): Promise<LiveCheck> {
  try {
    await grantlessToken(deps, config, app, 'notifications', { lwa, warn: () => {}, noCache: true });
    const at = deps.now().toISOString();
    return { result: 'ok', message: 'Login with Amazon issued a grantless token', exitCode: ExitCode.OK, checkedAt: at, finishedAt: at };
  } catch (error) {
    return { ...failed(error), finishedAt: deps.now().toISOString() };
  }
}
