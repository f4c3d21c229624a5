// iCalendar (RFC 5545) text for all-day events with an alarm: escaping, line
// folding at 75 octets, CRLF. Knows nothing about amz-token's profiles.

export interface AllDayEvent {
  /** Stable across runs, so a re-import updates the event instead of adding another. */
  uid: string;
  /** Local calendar day, as [year, month 1-12, day]. */
  day: [number, number, number];
  summary: string;
  description: string;
  /** Increase when the event moves, so that clients take the update. */
  sequence: number;
  /** Hours after the day's start (local midnight) at which the alarm fires, negative for the day before; none if undefined. */
  alarmAtHour?: number;
}

export interface CalendarOptions {
  name: string;
  prodId: string;
  /** DTSTAMP of every event: when the file was made. */
  now: Date;
}

export function icsCalendar(events: readonly AllDayEvent[], options: CalendarOptions): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${options.prodId}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(options.name)}`];
  const stamp = utcDateTime(options.now);
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(event.uid)}`,
      `DTSTAMP:${stamp}`,
      `SEQUENCE:${event.sequence}`,
      `DTSTART;VALUE=DATE:${dateValue(event.day)}`,
      `DTEND;VALUE=DATE:${dateValue(nextDay(event.day))}`,
      `SUMMARY:${escapeText(event.summary)}`,
      `DESCRIPTION:${escapeText(event.description)}`,
      // All-day reminders should not show the team as busy.
      'TRANSP:TRANSPARENT',
    );
    if (event.alarmAtHour !== undefined) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(event.summary)}`, `TRIGGER;RELATED=START:${event.alarmAtHour < 0 ? '-' : ''}PT${Math.abs(event.alarmAtHour)}H`, 'END:VALARM');
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/**
 * TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks
 * escaped; other control characters, which TEXT cannot hold, dropped.
 */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/**
 * Lines longer than 75 octets (UTF-8 bytes, not characters) continue on the
 * next line after one space (RFC 5545 3.1). Neither a character nor an escape
 * such as \, is split: the standard allows it, but not every reader copes.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const [char] of line.matchAll(/\\.|[\s\S]/gu)) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space counts
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** The local calendar day an instant falls on. */
export function localDay(instant: Date): [number, number, number] {
  return [instant.getFullYear(), instant.getMonth() + 1, instant.getDate()];
}

function nextDay([y, m, d]: [number, number, number]): [number, number, number] {
  // Noon, so that no daylight saving shift can move it to another day.
  const next = new Date(y, m - 1, d + 1, 12);
  return [next.getFullYear(), next.getMonth() + 1, next.getDate()];
}

function dateValue([y, m, d]: [number, number, number]): string {
  return `${String(y).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

function utcDateTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
