// The status report as `status --json` prints it: the documented shape, and nothing the other views need.

import type { StatusReport } from './status-report.js';

export function statusJson(report: StatusReport): Pick<StatusReport, 'at' | 'warnDays' | 'profiles' | 'apps'> {
  return { at: report.at, warnDays: report.warnDays, profiles: report.profiles, apps: report.apps };
}
