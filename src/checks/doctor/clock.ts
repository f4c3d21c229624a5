// doctor's clock check: this machine's time against the Date header of Login with Amazon's
// answer. AWS refuses signed calls (SigV4: the secret queue) more than 5 minutes off, and
// the dates amz-token records and warns by are only as right as the clock.

import { ExitCode } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { lwaOptions } from '../../amazon/endpoints.js';
import { describeNetworkError, sendToAmazon } from '../../amazon/http.js';
import { failure, ok, warning, type Finding } from './finding.js';

/** The Date header counts whole seconds, and a reply takes time: less than this is no finding. */
const TOLERANCE_MS = 60_000;
/** SigV4's limit. */
const AWS_LIMIT_MS = 5 * 60_000;

export async function checkClock(deps: Deps): Promise<Finding> {
  const lwa = lwaOptions(deps.env);
  const sentAt = deps.now().getTime();
  let date: string | undefined;
  try {
    // Any answer carries the Date header; a GET of the token endpoint asks nothing of anyone.
    const reply = await sendToAmazon('Login with Amazon', lwa.url, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs: lwa.timeoutMs });
    date = typeof reply.headers.date === 'string' ? reply.headers.date : undefined;
  } catch (error) {
    return failure('clock.offset', 'clock', `cannot compare the clock: Login with Amazon did not answer (${describeNetworkError(error)})`, ExitCode.AMAZON_UNAVAILABLE, 'check the network, or retry later');
  }
  const amazon = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(amazon)) return failure('clock.offset', 'clock', 'cannot compare the clock: Login with Amazon answered without a Date header', ExitCode.AMAZON_UNAVAILABLE);
  // The header was stamped somewhere between sending and receiving: compare with the middle.
  const local = (sentAt + deps.now().getTime()) / 2;
  return clockFinding(local - amazon);
}

/** The verdict for an offset (positive: this machine is ahead). */
export function clockFinding(offsetMs: number): Finding {
  const seconds = Math.round(offsetMs / 1000);
  const said = `${Math.abs(seconds)} s ${seconds >= 0 ? 'ahead of' : 'behind'} Amazon's`;
  const fix = 'sync the clock: timedatectl set-ntp true (or chronyd/ntpd)';
  if (Math.abs(offsetMs) <= TOLERANCE_MS) return ok('clock.offset', 'clock', `this machine's clock is within a minute of Amazon's (${said})`);
  if (Math.abs(offsetMs) <= AWS_LIMIT_MS) return warning('clock.offset', 'clock', `this machine's clock is ${said}: expiry warnings shift with it`, fix);
  // Exit 8, as for any secret queue that cannot be used: AWS refuses its signed calls.
  return failure('clock.offset', 'clock', `this machine's clock is ${said}: AWS refuses signed calls more than 5 minutes off (the secret queue)`, ExitCode.STORE_UNAVAILABLE, fix);
}
