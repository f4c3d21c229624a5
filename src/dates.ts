// Dates as operators read them: local time plus "in 23 days". JSON output
// uses UTC ISO 8601 instead (Date.toISOString), never this.

import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';

const DAY_MS = 24 * 60 * 60 * 1000;

/** "2027-01-10 09:12 (in 43 days)", in the process's time zone. */
export function formatDate(date: Date, now: Date): string {
  return `${format(date, 'yyyy-MM-dd HH:mm')} (${relative(date, now)})`;
}

/** "in 5 hours" / "3 days ago": whole hours under a day, else whole calendar days, rounded down. */
export function relative(date: Date, now: Date): string {
  const unit = Math.abs(date.getTime() - now.getTime()) < DAY_MS ? 'hour' : 'day';
  return formatDistanceStrict(date, now, { addSuffix: true, unit, roundingMethod: 'floor' });
}
