// Dates as operators read them: local time plus "in 23 days". JSON output
// uses UTC ISO 8601 instead (Date.toISOString), never this.

import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';

const DAY_MS = 24 * 60 * 60 * 1000;

/** "2027-01-10 09:12 (in 43 days)", in the process's time zone. */
export function formatDate(date: Date, now: Date): string {
  return `${format(date, 'yyyy-MM-dd HH:mm')} (${relative(date, now)})`;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * "in 43 days" / "in 5 hours" / "in 20 minutes" / "3 days ago": whole calendar
 * days from a day on, else whole hours, else whole minutes, rounded down. The
 * distance is first rounded to the minute, so that a grant made seconds ago
 * reads "in 365 days", not "in 364 days".
 */
export function relative(date: Date, now: Date): string {
  const distance = Math.round((date.getTime() - now.getTime()) / MINUTE_MS) * MINUTE_MS;
  if (distance === 0) return 'now';
  const unit = Math.abs(distance) >= DAY_MS ? 'day' : Math.abs(distance) >= HOUR_MS ? 'hour' : 'minute';
  return formatDistanceStrict(new Date(now.getTime() + distance), now, { addSuffix: true, unit, roundingMethod: 'floor' });
}
