// Dates as operators read them: local time plus "in 23 days". JSON output
// uses UTC ISO 8601 instead (Date.toISOString), never this.

import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';

export function formatDate(date: Date, now: Date): string {
  return `${format(date, 'yyyy-MM-dd HH:mm')} (${relative(date, now)})`;
}

export function relative(date: Date, now: Date): string {
  if (Math.abs(date.getTime() - now.getTime()) < 24 * 60 * 60 * 1000) {
    return formatDistanceStrict(date, now, { addSuffix: true, unit: 'hour', roundingMethod: 'floor' });
  }
  return formatDistanceStrict(date, now, { addSuffix: true, unit: 'day', roundingMethod: 'floor' });
}
