// doctor's checks at Login with Amazon: each profile's grant, as `status --check` proves it
// (runLiveChecks), and each app's client secret, as status proves it (checkAppSecrets: a
// profile's answer, else a grantless token request). Only the verdicts are new here.

import { ExitCode } from '../../errors.js';
import type { Deps } from '../../deps.js';
import type { Config } from '../../config/config.js';
import { runLiveChecks } from '../live-check.js';
import { checkAppSecrets } from '../app-check.js';
import type { LiveCheck } from '../result.js';
import { failure, ok, skipped, type Finding } from './finding.js';

export interface LiveScope {
  apps: string[];
  profiles: string[];
  deadlineSeconds: number;
}

export async function liveFindings(deps: Deps, config: Config, scope: LiveScope): Promise<Finding[]> {
  const checks = await runLiveChecks(deps, config, scope.profiles, { deep: false, concurrency: 4, deadlineSeconds: scope.deadlineSeconds });
  const profileChecks = scope.profiles.map((profile, i) => ({ profile, app: config.profiles[profile]!.app, check: checks[i]! }));
  const appChecks = await checkAppSecrets(deps, config, scope.apps, profileChecks, { deadlineSeconds: scope.deadlineSeconds });
  const findings: Finding[] = [];
  for (const app of scope.apps) {
    const check = appChecks[app];
    findings.push(
      check
        ? verdict('app.secret', `app ${app}`, check, `amz-token app set-secret ${app}`)
        : skipped('app.secret', `app ${app}`, 'not checked: grantless requests are for seller apps only, and no profile of this vendor app could prove it'),
    );
  }
  for (const p of profileChecks) findings.push(verdict('profile.grant', `profile ${p.profile}`, p.check, `amz-token renew --profile ${p.profile}`));
  return findings;
}

/** A live check as a finding; `renewal` is the fix when the check says the seller's side must act. */
function verdict(check: string, subject: string, result: LiveCheck, renewal: string): Finding {
  switch (result.result) {
    case 'ok':
      return ok(check, subject, result.message);
    case 'rejected':
      return failure(check, subject, result.message, result.exitCode, renewal);
    case 'app-rejected':
      return failure(check, subject, result.message, ExitCode.APP_REJECTED, result.hint ?? renewal);
    default:
      return failure(check, subject, result.message, result.exitCode, result.hint);
  }
}

/** When the store could not be opened, nothing that needs a secret is tried: one finding says why. */
export function notCheckedWithoutStore(scope: Pick<LiveScope, 'apps' | 'profiles'>): Finding[] {
  return [
    ...scope.apps.map((app) => skipped('app.secret', `app ${app}`, 'not checked: the secret store is unavailable')),
    ...scope.profiles.map((profile) => skipped('profile.grant', `profile ${profile}`, 'not checked: the secret store is unavailable')),
  ];
}
