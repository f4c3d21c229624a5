// `status --ics`: the expiry dates of a status report as calendar events, so
// renewal reminders land on the team calendar. Per authorization and per
// client secret: one event the day the warning window opens (--warn-days,
// default 30: when Amazon starts reminding), with an alarm, and one on the day it expires.

import { format } from 'date-fns/format';
import type { StatusReport } from './status-report.js';
import { icsCalendar, localDay, type AllDayEvent } from '../calendar/ics.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Alarms fire at 09:00 local time on the event's day... */
const ALARM_HOUR = 9;
/** ...unless the grant lapses before 10:00: then "Expires today" rings at 09:00 the day before, while it still works. */
const LATEST_EXPIRY_ALARM_HOUR = ALARM_HOUR + 1;

export function reminderEvents(report: Pick<StatusReport, 'profiles' | 'apps' | 'warnDays'>): AllDayEvent[] {
  const events: AllDayEvent[] = [];
  const add = (kind: string, id: string, expiresAt: Date, what: string, fix: string) => {
    // Local, like the events' days and the status table; the offset says which local.
    const day = format(expiresAt, 'yyyy-MM-dd');
    const expires = `${day} ${format(expiresAt, 'HH:mm')} (UTC${format(expiresAt, 'xxx')})`;
    const lapsesEarly = expiresAt.getHours() + expiresAt.getMinutes() / 60 < LATEST_EXPIRY_ALARM_HOUR;
    // Renewals move the expiry later, so its day number makes a SEQUENCE that grows with each one.
    const sequence = Math.floor(expiresAt.getTime() / DAY_MS);
    events.push({
      uid: `${kind}-reminder.${id}@amz-token`,
      day: localDay(new Date(expiresAt.getTime() - report.warnDays * DAY_MS)),
      summary: `Renew soon: ${what} expires ${day}`,
      description: `${what} expires ${expires}.\n${fix}`,
      sequence,
      alarmAtHour: ALARM_HOUR,
    });
    events.push({
      uid: `${kind}-expiry.${id}@amz-token`,
      day: localDay(expiresAt),
      summary: `Expires today: ${what}`,
      description: `${what} expires ${expires}. Until it is renewed, calls with it fail.\n${fix}`,
      sequence,
      alarmAtHour: lapsesEarly ? ALARM_HOUR - 24 : ALARM_HOUR,
    });
  };
  for (const p of report.profiles) {
    add(
      'authorization',
      `${p.profile}.${p.sellingPartnerId}.${p.marketplace}`,
      new Date(p.expiresAt),
      `SP-API authorization ${p.profile} (${p.sellingPartnerId}, ${p.marketplace}${p.role === 'vendor' ? ', vendor' : ''}, app ${p.app})`,
      `The seller (or vendor) must confirm again; run: amz-token renew --profile ${p.profile}`,
    );
  }
  for (const a of report.apps) {
    add(
      'client-secret',
      a.app,
      new Date(a.clientSecretExpiresAt),
      `LWA client secret of app ${a.app}`,
      `Rotate it in the Developer Console, then run: amz-token app set-secret ${a.app}`,
    );
  }
  return events;
}

/** The whole iCalendar file for a report; `now` stamps the events. */
export function calendarText(events: readonly AllDayEvent[], now: Date): string {
  return icsCalendar(events, { name: 'Amazon SP-API expiry dates', prodId: '-//amz-token//SP-API expiry dates//EN', now });
}
