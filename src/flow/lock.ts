// One browser flow per profile at a time: a second request/renew of the same
// profile is refused at once (exit 6) rather than queued for minutes.

import type { Deps } from '../deps.js';
import { FlowError } from '../errors.js';
import { withRunLock } from '../config/run-lock.js';

export async function withProfileFlowLock<T>(deps: Pick<Deps, 'configDir'>, profile: string, fn: () => Promise<T>): Promise<T> {
  const busy = (pid: number, lockFile: string) =>
    new FlowError(
      `another amz-token request or renew for profile "${profile}" is running${pid ? ` (pid ${pid})` : ''}; its lock is ${lockFile}`,
      'let it finish, or stop it, then run this again; if no amz-token is running, delete that file',
    );
  return withRunLock(deps.configDir, `flow-${profile}`, busy, fn);
}
