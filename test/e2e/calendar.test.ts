// End to end: `status --ics` through the built binary, read back with ical.js.
import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';

// The fixtures are fixed dates, so every status below is pinned to one day with --at: the events do
// not depend on today, and the exit codes must not either.
const AT = '2026-12-01';

function rig() {
  const s = sandbox();
  writeConfig(s.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } },
    profiles: {
      'shop-de': { expiresAt: '2027-01-10T00:00:00.000Z' },
      'vendor-fr': { role: 'vendor', marketplace: 'FR', sellingPartnerId: 'A2EXAMPLEVEND1', expiresAt: '2026-12-15T12:00:00.000Z' },
    },
  });
  return s;
}

function events(text: string) {
  return new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, start: e.startDate.toString(), allDay: e.startDate.isDate, summary: e.summary, alarm: v.getFirstSubcomponent('valarm') !== null };
  });
}

describe('status --ics', () => {
  it('writes a valid calendar file: reminder with alarm and expiry day per authorization and client secret, in local days', async () => {
    const s = rig();
    const file = join(s.configDir, 'team.ics');
    // 00:00 UTC on the 10th is the evening of the 9th in New York.
    const result = await s.run(['status', '--at', AT, '--ics', file], { env: { TZ: 'America/New_York' } });
    expect(result.exitCode).toBe(3); // the usual status: vendor-fr expires within 30 days of --at
    expect(String(result.stdout)).toMatch(/^PROFILE/); // the table still goes to stdout
    expect(String(result.stderr)).toContain(`Wrote 6 calendar events to ${file}.`);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*END:VCALENDAR\r\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(events(text)).toEqual([
      { uid: 'authorization-reminder.shop-de.A3EXAMPLE12345.DE@amz-token', start: '2026-12-10', allDay: true, summary: expect.stringContaining('shop-de'), alarm: true },
      { uid: 'authorization-expiry.shop-de.A3EXAMPLE12345.DE@amz-token', start: '2027-01-09', allDay: true, summary: expect.stringContaining('shop-de'), alarm: true },
      { uid: 'authorization-reminder.vendor-fr.A2EXAMPLEVEND1.FR@amz-token', start: '2026-11-15', allDay: true, summary: expect.stringContaining('vendor'), alarm: true },
      { uid: 'authorization-expiry.vendor-fr.A2EXAMPLEVEND1.FR@amz-token', start: '2026-12-15', allDay: true, summary: expect.stringContaining('vendor-fr'), alarm: true },
      { uid: 'client-secret-reminder.my-app@amz-token', start: '2027-02-27', allDay: true, summary: expect.stringContaining('my-app'), alarm: true },
      { uid: 'client-secret-expiry.my-app@amz-token', start: '2027-03-29', allDay: true, summary: expect.stringContaining('my-app'), alarm: true },
    ]);
  });

  it('writes the same events with the same UIDs on the next run, so a re-import updates instead of duplicating', async () => {
    const s = rig();
    const file = join(s.configDir, 'team.ics');
    await s.run(['status', '--at', AT, '--ics', file]);
    const first = readFileSync(file, 'utf8');
    await s.run(['status', '--at', AT, '--ics', file]);
    const second = readFileSync(file, 'utf8');
    const withoutStamp = (t: string) => t.replace(/^DTSTAMP:.*$/gm, '');
    expect(withoutStamp(second)).toBe(withoutStamp(first));
  });

  it('--ics - prints only the calendar on stdout; --profile narrows it', async () => {
    const s = rig();
    const result = await s.run(['status', '--at', AT, '--profile', 'shop-de', '--ics', '-']);
    expect(result.exitCode).toBe(0);
    expect(events(String(result.stdout)).map((e) => e.uid)).toEqual([
      'authorization-reminder.shop-de.A3EXAMPLE12345.DE@amz-token',
      'authorization-expiry.shop-de.A3EXAMPLE12345.DE@amz-token',
      'client-secret-reminder.my-app@amz-token',
      'client-secret-expiry.my-app@amz-token',
    ]);
  });

  it('refuses --ics - with --json, and an unwritable path, with exit 2', async () => {
    const s = rig();
    const both = await s.run(['status', '--json', '--ics', '-']);
    expect(both.exitCode).toBe(2);
    expect(String(both.stdout)).toBe('');
    const nowhere = await s.run(['status', '--ics', '/nonexistent/folder/team.ics']);
    expect(nowhere.exitCode).toBe(2);
    expect(String(nowhere.stderr)).toMatch(/--ics: cannot write \/nonexistent\/folder\/team\.ics \(ENOENT\)/);
  });

  it('with no profiles left, still writes the calendar (the apps\' events only), so removed profiles\' events go away; exit 5', async () => {
    const s = sandbox();
    writeConfig(s.configDir, { apps: { 'my-app': { clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } }, profiles: {} });
    const file = join(s.configDir, 'team.ics');
    const result = await s.run(['status', '--at', AT, '--ics', file]);
    expect(result.exitCode).toBe(5);
    expect(String(result.stderr)).toContain('no profiles configured');
    expect(events(readFileSync(file, 'utf8')).map((e) => e.uid)).toEqual(['client-secret-reminder.my-app@amz-token', 'client-secret-expiry.my-app@amz-token']);
  });
});
