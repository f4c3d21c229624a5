// End to end: the table shows dates in the user's time zone with relative time;
// JSON always carries UTC ISO 8601, whatever TZ says.
import { describe, expect, it } from 'vitest';
import { sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';

function rig() {
  const s = sandbox();
  writeConfig(s.configDir, {
    // The client secret expires 2026-12-07T00:00Z (180 days), inside the warning window.
    apps: { 'my-app': { clientSecretCreatedAt: '2026-06-10T00:00:00.000Z' } },
    profiles: {
      later: { expiresAt: '2027-01-10T00:00:00.000Z' },
      today: { expiresAt: '2026-12-01T20:00:00.000Z' },
      lapsed: { expiresAt: '2026-11-20T12:00:00.000Z' },
    },
  });
  return s;
}

const row = (stdout: string, name: string) => stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';

describe('dates', () => {
  it('the table shows local time (TZ=America/New_York) and "in N days" / "N hours" / "N days ago"', async () => {
    const s = rig();
    // --at 2026-12-01 is local midnight, 05:00 UTC in New York in winter.
    const result = await s.run(['status', '--at', '2026-12-01'], { env: { TZ: 'America/New_York' } });
    expect(result.exitCode).toBe(4);
    const stdout = String(result.stdout);
    expect(row(stdout, 'later')).toContain('2027-01-09 19:00 (in 39 days)');
    expect(row(stdout, 'today')).toContain('2026-12-01 15:00 (in 15 hours)');
    expect(row(stdout, 'lapsed')).toContain('2026-11-20 07:00 (10 days ago)');
    expect(row(stdout, 'my-app')).toContain('2026-12-06 19:00 (in 5 days)');
  });

  it('--at advice names the local day given, not its UTC date (TZ=Asia/Tokyo)', async () => {
    const s = rig();
    // Local midnight of 2026-12-01 in Tokyo is 2026-11-30T15:00Z.
    const result = await s.run(['status', '--at', '2026-12-01'], { env: { TZ: 'Asia/Tokyo' } });
    expect(String(result.stderr)).toContain('lapsed expires 2026-11-20, before 2026-12-01; run: amz-token renew --profile lapsed');
  });

  it('the same config in UTC shows UTC wall time', async () => {
    const s = rig();
    const result = await s.run(['status', '--at', '2026-12-01'], { env: { TZ: 'UTC' } });
    expect(row(String(result.stdout), 'later')).toContain('2027-01-10 00:00 (in 40 days)');
  });

  it('JSON is UTC ISO 8601 in any time zone', async () => {
    const s = rig();
    const [ny, tokyo] = await Promise.all(
      ['America/New_York', 'Asia/Tokyo'].map((TZ) => s.run(['status', '--json', '--at', '2026-12-01T12:00:00Z'], { env: { TZ } })),
    );
    expect(String(ny!.stdout)).toBe(String(tokyo!.stdout));
    const report = JSON.parse(String(ny!.stdout));
    expect(report.at).toBe('2026-12-01T12:00:00.000Z');
    expect(report.profiles.map((p: { profile: string; expiresAt: string }) => [p.profile, p.expiresAt])).toEqual([
      ['lapsed', '2026-11-20T12:00:00.000Z'],
      ['later', '2027-01-10T00:00:00.000Z'],
      ['today', '2026-12-01T20:00:00.000Z'],
    ]);
    expect(report.apps[0].clientSecretExpiresAt).toBe('2026-12-07T00:00:00.000Z');
  });
});
