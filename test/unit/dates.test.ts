// How status and friends say a date: local wall time and a relative phrase.
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate, relative, wholeDays } from '../../src/dates.js';

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

describe('formatDate', () => {
  it.each([
    ['UTC', '2027-01-10 09:12'],
    ['Europe/Berlin', '2027-01-10 10:12'],
    ['America/New_York', '2027-01-10 04:12'],
    ['Asia/Kolkata', '2027-01-10 14:42'],
  ])('shows local wall time in %s', (tz, wall) => {
    process.env.TZ = tz;
    expect(formatDate(new Date('2027-01-10T09:12:00Z'), new Date('2026-11-28T09:12:00Z'))).toBe(`${wall} (in 43 days)`);
  });

  it('counts days of 24 hours across a daylight saving change, as JSON does whatever TZ says', () => {
    process.env.TZ = 'Europe/Berlin';
    // 30 days of wall-clock time, but one hour less of real time (clocks went forward on 29 March).
    const [date, now] = [new Date('2026-04-15T00:00:00+02:00'), new Date('2026-03-16T00:00:00+01:00')];
    expect(relative(date, now)).toBe('in 29 days');
    expect(wholeDays(date, now)).toBe(29);
  });

  it('one rounding for the relative phrase and the day count, ahead and past', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    for (const hours of [-73.5, -48, -25, -24, 24, 25, 47.99, 8760 - 0.001]) {
      const date = new Date(now.getTime() + hours * 3_600_000);
      const days = wholeDays(date, now);
      expect(relative(date, now), `${hours} h`).toBe(days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`);
    }
    expect(wholeDays(new Date(now.getTime() - 12 * 3_600_000), now)).toBe(0);
  });

  it('says hours under a day, singular and plural, future and past', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    expect(relative(new Date('2026-11-27T13:30:00Z'), now)).toBe('in 1 hour');
    expect(relative(new Date('2026-11-27T02:00:00Z'), now)).toBe('10 hours ago');
    expect(relative(new Date('2026-11-28T12:00:00Z'), now)).toBe('in 1 day');
  });

  it('says minutes under an hour, never "in 0 hours", and "now" within half a minute', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    expect(relative(new Date('2026-11-27T12:35:20Z'), now)).toBe('in 35 minutes');
    expect(relative(new Date('2026-11-27T11:59:00Z'), now)).toBe('1 minute ago');
    expect(relative(new Date('2026-11-27T12:00:20Z'), now)).toBe('now');
    expect(relative(now, now)).toBe('now');
  });

  it('a grant made seconds ago expires "in 365 days", not 364', () => {
    const authorizedAt = new Date('2026-11-27T12:00:00Z');
    const expiresAt = new Date(authorizedAt.getTime() + 365 * 86_400_000);
    expect(relative(expiresAt, new Date(authorizedAt.getTime() + 2_500))).toBe('in 365 days');
  });
});
