// The HTML view of the status report (src/report/html.ts) and its timeline
// (src/report/timeline.ts): what the page says, in what order, escaped, and
// self-contained. How it renders is test/e2e/html-report.test.ts (Chromium).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { format } from 'date-fns/format';
import { esc, htmlReport } from '../../src/report/html.js';
import { timelineAxis, timelineRows, TIMELINE_MONTHS } from '../../src/report/timeline.js';
import { statusReport, withLiveChecks } from '../../src/report/status-report.js';
import { failed, type LiveCheck } from '../../src/checks/live-check.js';
import { AuthorizationExpiredError, ExitCode } from '../../src/errors.js';
import type { Config, ProfileRecord } from '../../src/config/config.js';
import { FAKE } from '../support/fake-deps.js';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-11-27T12:00:00Z');
const inDays = (n: number) => new Date(now.getTime() + n * DAY).toISOString();
const profile = (expiresAt: string, extra: Partial<ProfileRecord> = {}): ProfileRecord => ({
  app: 'my-app',
  region: 'eu',
  marketplace: 'DE',
  role: 'seller',
  sellingPartnerId: 'A3EXAMPLE12345',
  expiresAt,
  ...extra,
});
const config: Config = {
  version: 1,
  apps: { 'my-app': { appId: FAKE.appId, clientId: FAKE.clientId, redirectUri: 'https://e.example/cb', draft: false, clientSecretCreatedAt: inDays(-100) } },
  profiles: {
    'shop-ok': profile(inDays(200)),
    'shop-soon': profile(inDays(12)),
    'shop-gone': profile(inDays(-40), { marketplace: 'FR', role: 'vendor' }),
  },
};

describe('timeline', () => {
  it('spans 13 months from the first of this month, with today and the warning window on it', () => {
    const axis = timelineAxis(now, 30);
    expect(axis.months).toHaveLength(TIMELINE_MONTHS);
    expect(axis.months.reduce((sum, m) => sum + m.share, 0)).toBeCloseTo(1, 9);
    expect(axis.start.getDate()).toBe(1);
    expect(axis.today).toBeGreaterThan(0);
    expect(axis.today).toBeLessThan(axis.months[0]!.share + 1e-9);
    expect((axis.warningEnd - axis.today) * (axis.end.getTime() - axis.start.getTime())).toBeCloseTo(30 * DAY, -3);
    // A grant made today (365 days) still ends on the axis.
    expect(new Date(now.getTime() + 365 * DAY) < axis.end).toBe(true);
    expect(axis.months[0]!.year).toMatch(/^\d{4}$/);
    expect(axis.months.filter((m) => m.year).length).toBe(2); // the first month, and one January
  });

  it('has one row per authorization and per client secret, most urgent first, each with the command when one is due', () => {
    const report = statusReport(config, now, 30);
    const rows = timelineRows(report, timelineAxis(now, 30));
    expect(rows.map((r) => [r.kind, r.name, r.state, r.look, r.command ?? null])).toEqual([
      ['authorization', 'shop-gone', 'expired', 'expired', 'amz-token renew --profile shop-gone'],
      ['authorization', 'shop-soon', 'expiring', 'expiring', 'amz-token renew --profile shop-soon'],
      ['client secret', 'my-app', 'ok', 'ok', null],
      ['authorization', 'shop-ok', 'ok', 'ok', null],
    ]);
    expect(rows[0]!.off).toBe('before'); // 40 days ago is before the first of this month
    expect(rows[0]!.end).toBe(0);
    expect(rows[3]!.end).toBeGreaterThan(rows[1]!.end);
  });

  it('puts a token Amazon rejected first and draws it as expired, whatever its date', () => {
    const ok: LiveCheck = { result: 'ok', message: 'ok', exitCode: ExitCode.OK };
    const rejected = failed(new AuthorizationExpiredError('Amazon rejected the refresh token (invalid_grant)'));
    // profiles in name order: shop-gone, shop-ok, shop-soon
    const report = withLiveChecks(statusReport(config, now, 30), [ok, rejected, ok], false);
    const rows = timelineRows(report, timelineAxis(now, 30));
    expect(rows[0]).toMatchObject({ name: 'shop-ok', state: 'rejected', look: 'expired', command: 'amz-token renew --profile shop-ok' });
  });
});

describe('htmlReport', () => {
  const page = htmlReport(statusReport(config, now, 30));

  it('is one self-contained document: no script, no style attribute, nothing to fetch', () => {
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    expect(page).not.toMatch(/\sstyle="/);
    expect(page).not.toMatch(/\b(src|href)="(?!#)/); // only in-page anchors
    expect(page).not.toMatch(/https?:\/\//);
  });

  it('allows exactly its own stylesheet by hash, and nothing else', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1]!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256').update(styles[0]!).digest('base64');
    expect(csp).toContain(`'sha256-${hash}'`);
  });

  it('names every profile and app, in the timeline and in the table, with the renew command only where one is due', () => {
    for (const name of ['shop-ok', 'shop-soon', 'shop-gone', 'my-app']) {
      expect(page, name).toContain(`<b>${name}</b><small>`); // its timeline row
      expect(page, name).toContain(`class="name"><div>${name}</div>`); // its table row
    }
    expect(page).toContain('<code>amz-token renew --profile shop-soon</code>');
    expect(page).toContain('<code>amz-token renew --profile shop-gone</code>');
    expect(page).not.toContain('renew --profile shop-ok');
    expect(page).toMatch(/Due first: authorization <b>shop-gone<\/b> expired/);
  });

  it('says when it was generated, and, with --at, the date the states are judged at', () => {
    expect(page).toContain(`Generated <time datetime="${now.toISOString()}">`);
    expect(page).not.toContain('states as of');
    const later = new Date('2027-01-06T12:00:00Z');
    const asOf = htmlReport(statusReport(config, later, 30, undefined, now));
    expect(asOf).toContain(`states as of <time datetime="${later.toISOString()}">`);
    expect(asOf).toContain(`Generated <time datetime="${now.toISOString()}">`);
    expect(asOf).toContain(`${format(later, 'yyyy-MM-dd')} (--at)</li>`); // the timeline's line is that (local) date, not today
    expect(page).toMatch(/today<\/li>/);
  });

  it('reads without colour: every state is written out, and the legend names the bar patterns', () => {
    expect(page).toContain('<span class="badge b-expired">expired</span>');
    expect(page).toContain('<span class="badge b-expiring">expiring</span>');
    expect(page).toContain('<span class="badge b-ok">ok</span>');
    expect(page).toMatch(/expiring \(striped\)/);
    expect(page).toMatch(/<li class="s-expired"><b>1<\/b>expired<\/li>/);
  });

  it('adds the check result and its message after --check', () => {
    const rejected = failed(new AuthorizationExpiredError('Amazon rejected the refresh token (invalid_grant: expired)'));
    const ok: LiveCheck = { result: 'ok', message: 'Amazon issued an access token', exitCode: ExitCode.OK };
    const checked = htmlReport(withLiveChecks(statusReport(config, now, 30), [ok, rejected, ok], false));
    expect(checked).toContain('<th scope="col">Check</th>');
    expect(checked).toContain('rejected<small>Amazon rejected the refresh token (invalid_grant: expired)</small>');
    expect(checked).toContain('<code>amz-token renew --profile shop-ok</code>');
    // Its 200 days left are lost: drawn as a dashed outline from today to the date, not a green bar.
    const row = /<li class="tl-row"><div class="who"><b>shop-ok<\/b>.*?<\/li>/.exec(checked)![0];
    const width = Number(/class="bar-expired" x="[\d.]+" y="0" width="([\d.]+)"/.exec(row)![1]);
    expect(width).toBeGreaterThan(400); // of 1000 for 13 months
    expect(row).not.toContain('bar-ok');
  });

  it('escapes whatever a hand-edited config.json holds', () => {
    const hostile: Config = {
      ...config,
      profiles: { '<script>alert(1)</script>': profile(inDays(5), { sellingPartnerId: '"><img src=x onerror=alert(1)>', marketplace: "D'E&" }) },
    };
    const text = htmlReport(statusReport(hostile, now, 30));
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<img');
    expect(text).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(text).toContain('D&#39;E&#38;');
    expect(esc(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
  });
});
