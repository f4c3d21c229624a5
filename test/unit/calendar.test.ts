// The iCalendar writer (src/calendar/ics.ts) and the reminder events of
// `status --ics` (src/report/calendar.ts), read back with ical.js, a
// maintained RFC 5545 parser, instead of trusting our own reading of the RFC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import fc from 'fast-check';
import { escapeText, foldLine, icsCalendar, type AllDayEvent } from '../../src/calendar/ics.js';
import { reminderEvents } from '../../src/report/calendar.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const OPTIONS = { name: 'Amazon SP-API expiry dates', prodId: '-//amz-token//test//EN', now: NOW };

function parse(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text));
}

function expectWellFormed(text: string) {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only, no bare LF or CR
  for (const line of text.split('\r\n').slice(0, -1)) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
}

const event = (overrides: Partial<AllDayEvent> = {}): AllDayEvent => ({
  uid: 'authorization-reminder.shop-de.A3EXAMPLE12345.DE@amz-token',
  day: [2026, 12, 11],
  summary: 'Renew soon: shop-de',
  description: 'line one\nline two',
  sequence: 20_000,
  alarmAtHour: 9,
  ...overrides,
});

describe('icsCalendar', () => {
  it('writes all-day events with an alarm that ical.js reads back field for field', () => {
    const text = icsCalendar([event(), event({ uid: 'b@amz-token', day: [2027, 1, 10], alarmAtHour: undefined })], OPTIONS);
    expectWellFormed(text);
    const calendar = parse(text);
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//amz-token//test//EN');
    const [first, second] = calendar.getAllSubcomponents('vevent');
    const e = new ICAL.Event(first!);
    expect(e.uid).toBe('authorization-reminder.shop-de.A3EXAMPLE12345.DE@amz-token');
    expect(e.startDate.isDate).toBe(true);
    expect(e.startDate.toString()).toBe('2026-12-11');
    expect(e.endDate.toString()).toBe('2026-12-12');
    expect(e.summary).toBe('Renew soon: shop-de');
    expect(e.description).toBe('line one\nline two');
    expect(e.sequence).toBe(20_000);
    expect(first!.getFirstPropertyValue('dtstamp')!.toString()).toBe('2026-11-27T12:00:00Z');
    const alarm = first!.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(alarm.getFirstPropertyValue('trigger')!.toString()).toBe('PT9H');
    expect(second!.getFirstSubcomponent('valarm')).toBeNull();
    expect(new ICAL.Event(second!).endDate.toString()).toBe('2027-01-11');
  });

  it('ends a day at the next one across month and year ends and a leap day', () => {
    const text = icsCalendar([event({ day: [2026, 12, 31] }), event({ uid: 'b', day: [2028, 2, 28] }), event({ uid: 'c', day: [2028, 2, 29] })], OPTIONS);
    const ends = parse(text)
      .getAllSubcomponents('vevent')
      .map((v) => new ICAL.Event(v).endDate.toString());
    expect(ends).toEqual(['2027-01-01', '2028-02-29', '2028-03-01']);
  });

  it('escapes and folds any text so that it reads back unchanged, and never splits a character or an escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), (summary, description) => {
        const text = icsCalendar([event({ summary, description })], OPTIONS);
        expectWellFormed(text);
        const e = new ICAL.Event(parse(text).getFirstSubcomponent('vevent')!);
        // TEXT carries line breaks as \n and no other control character but tab.
        const readable = (t: string) => t.replace(/\r\n|\r/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
        expect(e.summary ?? '').toBe(readable(summary));
        expect(e.description ?? '').toBe(readable(description));
      }),
      { numRuns: 300 },
    );
  });

  it('escapes backslash, semicolon, comma and newline', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('folds at 75 octets, counting UTF-8 bytes, with a space before each continuation', () => {
    const line = `SUMMARY:${'ä'.repeat(60)}`; // 8 + 120 octets
    const folded = foldLine(line).split('\r\n');
    expect(folded.length).toBe(2);
    expect(Buffer.byteLength(folded[0]!)).toBeLessThanOrEqual(75);
    expect(folded[1]!.startsWith(' ')).toBe(true);
    expect(folded.map((l, i) => (i ? l.slice(1) : l)).join('')).toBe(line);
  });
});

describe('reminderEvents', () => {
  const savedTz = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = 'America/New_York';
  });
  afterEach(() => {
    process.env.TZ = savedTz;
  });

  const report = {
    warnDays: 30,
    profiles: [
      {
        profile: 'shop-de',
        app: 'my-app',
        region: 'eu',
        marketplace: 'DE',
        role: 'seller',
        sellingPartnerId: 'A3EXAMPLE12345',
        authorizedAt: null,
        // 02:00 UTC is still the 9th in New York: the day is the local one, as in the status table.
        expiresAt: '2027-01-10T02:00:00.000Z',
        daysLeft: 43,
        state: 'ok' as const,
      },
    ],
    apps: [{ app: 'my-app', clientSecretExpiresAt: '2027-04-30T00:00:00.000Z', daysLeft: 154, state: 'ok' as const }],
  };

  it('gives each authorization and each client secret a reminder with an alarm when the warning window opens, and an event on the expiry day', () => {
    const events = reminderEvents(report);
    expect(events.map((e) => [e.uid, e.day.join('-'), e.alarmAtHour])).toEqual([
      ['authorization-reminder.shop-de.A3EXAMPLE12345.DE@amz-token', '2026-12-10', 9],
      ['authorization-expiry.shop-de.A3EXAMPLE12345.DE@amz-token', '2027-1-9', 9],
      ['client-secret-reminder.my-app@amz-token', '2027-3-30', 9],
      ['client-secret-expiry.my-app@amz-token', '2027-4-29', 9],
    ]);
    expect(events[0]!.description).toContain('amz-token renew --profile shop-de');
    expect(events[2]!.description).toContain('amz-token app set-secret my-app');
  });

  it('follows --warn-days for the reminder day', () => {
    expect(reminderEvents({ ...report, warnDays: 14 })[0]!.day).toEqual([2026, 12, 26]);
  });

  it('keeps the UIDs when a renewal moves the date, and raises SEQUENCE so calendars take the update', () => {
    const before = reminderEvents(report);
    const renewed = reminderEvents({ ...report, profiles: [{ ...report.profiles[0]!, expiresAt: '2028-01-10T02:00:00.000Z' }] });
    expect(renewed.map((e) => e.uid)).toEqual(before.map((e) => e.uid));
    expect(renewed[0]!.sequence).toBeGreaterThan(before[0]!.sequence);
    expect(renewed[0]!.day).toEqual([2027, 12, 10]);
  });

  it('says the local day in the summary, as the event\'s day and the status table do', () => {
    const [reminder, expiry] = reminderEvents(report);
    // 02:00 UTC on the 10th is 21:00 on the 9th in New York.
    expect(reminder!.summary).toMatch(/expires 2027-01-09$/);
    expect(expiry!.description).toContain('expires 2027-01-09 21:00 (UTC-05:00)');
  });

  it('rings "Expires today" at 09:00 the day before when the grant lapses before 10:00, while it still works', () => {
    // 08:30 UTC is 03:30 in New York.
    const early = reminderEvents({ ...report, profiles: [{ ...report.profiles[0]!, expiresAt: '2027-01-10T08:30:00.000Z' }] });
    expect(early[1]).toMatchObject({ day: [2027, 1, 10], alarmAtHour: -15 });
    const alarm = new ICAL.Component(ICAL.parse(icsCalendar([early[1]!], OPTIONS))).getFirstSubcomponent('vevent')!.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('trigger')!.toString()).toBe('-PT15H');
    expect(early[0]!.alarmAtHour).toBe(9); // the warning window's reminder keeps 09:00
  });
});
