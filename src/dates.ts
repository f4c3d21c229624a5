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
 * Whole days from `now` to `date`: the one rounding every view uses (the table,
 * JSON's daysLeft, the HTML page, app list). Days of 24 hours, as Amazon counts
 * them, whatever the time zone; the distance is first rounded to the minute (a
 * grant made seconds ago has 365 days, not 364), then cut toward zero, so that
 * "3 days ago" is -3.
 */
export function wholeDays(date: Date, now: Date): number {
  const days = Math.trunc((Math.round((date.getTime() - now.getTime()) / MINUTE_MS) * MINUTE_MS) / DAY_MS);
  return days === 0 ? 0 : days; // never -0
}

/**
 * "in 43 days" / "in 5 hours" / "in 20 minutes" / "3 days ago": wholeDays from
 * a day on, else whole hours, else whole minutes, rounded toward zero after
 * rounding the distance to the minute.
 */
export function relative(date: Date, now: Date): string {
  const distance = Math.round((date.getTime() - now.getTime()) / MINUTE_MS) * MINUTE_MS;
  if (distance === 0) return 'now';
  if (Math.abs(distance) >= DAY_MS) {
    const days = Math.abs(wholeDays(date, now));
    const span = `${days} day${days === 1 ? '' : 's'}`;
    return distance > 0 ? `in ${span}` : `${span} ago`;
  }
  const unit = Math.abs(distance) >= HOUR_MS ? 'hour' : 'minute';
  return formatDistanceStrict(new Date(now.getTime() + distance), now, { addSuffix: true, unit, roundingMethod: 'floor' });
}
