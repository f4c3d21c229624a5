// doctor's checks that need only config.json and the clock: each app's redirect URI,
// Draft setting and recorded secret expiry, and each profile's expiry and invitations.
// The network checks (live.ts, serve.ts, queue.ts) add to these.

import { ExitCode } from '../../errors.js';
import type { AppRecord, Config, ProfileRecord } from '../../config/config.js';
import { invitationState } from '../../config/invitations.js';
import { appSecretExpiry, clientSecretExitCode, DEFAULT_WARN_DAYS, expiryState, authorizationExitCode } from '../../expiry.js';
import { formatDate } from '../../dates.js';
import { isLoopbackHost } from '../../validate.js';
import type { BaseUrl } from '../../serve/base-url.js';
import { failure, ok, warning, type Finding } from './finding.js';

export function appRecordFindings(name: string, app: AppRecord, base: BaseUrl | undefined, now: Date): Finding[] {
  const subject = `app ${name}`;
  const findings: Finding[] = [];
  const set = `amz-token app set ${name}`;

  const expiresAt = appSecretExpiry(app);
  const state = expiryState(expiresAt, now, DEFAULT_WARN_DAYS);
  const rotate = app.secretQueueUrl ? `amz-token app rotate-secret ${name}` : `rotate it in the Developer Console, then amz-token app set-secret ${name}`;
  const when = formatDate(expiresAt, now);
  if (state === 'ok') findings.push(ok('app.secret-expiry', subject, `the client secret expires ${when}`));
  else if (state === 'expiring') findings.push(warning('app.secret-expiry', subject, `the client secret expires ${when}`, rotate));
  else findings.push(failure('app.secret-expiry', subject, `the client secret expired ${when} by its recorded date`, clientSecretExitCode(state), `${rotate}; if the date is wrong: ${set} --secret-created <date>`));

  const uri = new URL(app.redirectUri);
  const problem =
    uri.hash || app.redirectUri.includes('#')
      ? 'carries a #fragment (Amazon answers MD5110)'
      : uri.protocol !== 'https:' && !(uri.protocol === 'http:' && isLoopbackHost(uri.hostname))
        ? `is ${uri.protocol}// (Amazon accepts only https)`
        : undefined;
  if (problem) findings.push(failure('app.redirect-uri', subject, `the redirect URI ${app.redirectUri} ${problem}`, ExitCode.APP_REJECTED, `${set} --redirect-uri https://…`));
  else if (base && app.redirectUri !== `${base.href}/callback`) {
    findings.push(
      warning(
        'app.redirect-uri',
        subject,
        `serve sends ${base.href}/callback as the redirect URI, but the app records ${app.redirectUri}: unless both are registered at Amazon, invited sellers see MD5101`,
        `register ${base.href}/callback as a Redirect URI too, or ${set} --redirect-uri ${base.href}/callback`,
      ),
    );
  } else findings.push(ok('app.redirect-uri', subject, `the redirect URI ${app.redirectUri} is ${uri.protocol === 'https:' ? 'https' : 'loopback'}, without a fragment${base ? ", and serve's" : ''}`));

  findings.push(
    app.draft
      ? ok('app.draft', subject, `Draft: consent URLs carry version=beta (while Amazon reviews the app they meet MD9000; once it is published: ${set} --no-draft)`)
      : ok('app.draft', subject, `published: consent URLs carry no version=beta (if the app is still in Draft, Amazon answers MD1000: ${set} --draft)`),
  );
  return findings;
}

export function profileRecordFindings(name: string, profile: ProfileRecord, config: Config, now: Date): Finding[] {
  const subject = `profile ${name}`;
  const expiresAt = new Date(profile.expiresAt);
  const state = expiryState(expiresAt, now, DEFAULT_WARN_DAYS);
  const when = formatDate(expiresAt, now);
  const renew = `amz-token renew --profile ${name} (or a link: amz-token invite --profile ${name})`;
  const findings: Finding[] = [
    state === 'ok'
      ? ok('profile.expiry', subject, `the authorization expires ${when}`)
      : state === 'expiring'
        ? warning('profile.expiry', subject, `the authorization expires ${when}`, renew, authorizationExitCode(state))
        : failure('profile.expiry', subject, `the authorization expired ${when} by its recorded date`, authorizationExitCode(state), renew),
  ];
  const mine = Object.values(config.invitations ?? {})
    .filter((invitation) => invitation.profile === name)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const latest = mine[0];
  if (latest) {
    const latestState = invitationState(latest, now);
    if (latestState === 'pending') findings.push(ok('profile.invitation', subject, `a ${latest.kind} link is pending, valid until ${formatDate(new Date(latest.expiresAt), now)}`));
    else if (latestState !== 'used' && state !== 'ok') findings.push(warning('profile.invitation', subject, `the last link sent ${latestState === 'expired' ? 'expired' : 'was revoked'} unused`, `amz-token invite --profile ${name}`, authorizationExitCode(state)));
    else findings.push(ok('profile.invitation', subject, `no link pending (the last one was ${latestState})`));
  }
  return findings;
}
