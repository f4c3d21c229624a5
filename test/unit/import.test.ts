// `import` in-process: dates that cannot be true are refused (exit 2) before
// anything is stored; an authorization that has already lapsed is taken with a warning.
import { describe, expect, it } from 'vitest';
import { format } from 'date-fns/format';
import { fakeEnvironment, FAKE, type FakeEnvironment } from '../support/fake-deps.js';

const NOW = new Date('2026-11-27T12:00:00Z');
// In the local time zone, as the operator types it and reads it back.
const LATER_TODAY = new Date(NOW.getTime() + 6 * 60 * 60 * 1000);
const importArgs = (...dates: string[]) => [
  'import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', ...dates,
];

async function withApp(): Promise<FakeEnvironment> {
  const env = fakeEnvironment({ now: NOW });
  const added = await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'], FAKE.clientSecret);
  expect(added.code, added.stderr).toBe(0);
  return env;
}

describe('import dates', () => {
  it.each([
    ['--authorized-at in the future', ['--authorized-at', '2026-12-24'], /--authorized-at 2026-12-24 is in the future/],
    ['--authorized-at in six hours', ['--authorized-at', format(LATER_TODAY, "yyyy-MM-dd'T'HH:mm")], new RegExp(`--authorized-at ${format(LATER_TODAY, 'yyyy-MM-dd HH:mm')} is in the future`)],
    ['--expires-at more than 365 days ahead', ['--expires-at', '2027-12-24'], /--expires-at 2027-12-24 is more than 365 days away, but an authorization lasts 365 days/],
  ])('refuses %s (exit 2), storing nothing', async (_name, dates, message) => {
    const env = await withApp();
    const result = await env.run(importArgs(...dates), FAKE.refreshToken);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(env.store.items.has('profile/shop-de/refresh-token')).toBe(false);
  });

  it.each([
    ['--authorized-at today', ['--authorized-at', '2026-11-27']],
    ['--expires-at within the year', ['--expires-at', '2027-11-26']],
  ])('accepts %s without a warning', async (_name, dates) => {
    const env = await withApp();
    const result = await env.run(importArgs(...dates), FAKE.refreshToken);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
  });

  it.each([
    ['--expires-at in the past', ['--expires-at', '2026-11-01']],
    ['--authorized-at more than 365 days ago', ['--authorized-at', '2025-11-01']],
  ])('imports an authorization that has already expired (%s), with a warning that says what to run', async (_name, dates) => {
    const env = await withApp();
    const result = await env.run(importArgs(...dates), FAKE.refreshToken);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: this authorization expired on 2026-11-0\d .*; amz-token status reports it as expired \(exit 4\) until it is renewed: amz-token renew --profile shop-de$/m);
    expect(env.store.items.get('profile/shop-de/refresh-token')).toBe(FAKE.refreshToken);
    expect((await env.run(['status'])).code).toBe(4);
  });

  it('warns with --json too, on stderr, keeping stdout JSON', async () => {
    const env = await withApp();
    const result = await env.run([...importArgs('--expires-at', '2026-11-01'), '--json'], FAKE.refreshToken);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ profile: 'shop-de', expiresAt: new Date(2026, 10, 1).toISOString() });
    expect(result.stderr).toMatch(/^warning: this authorization expired/);
  });
});

describe('import region', () => {
  const withoutRegion = () => importArgs('--authorized-at', '2026-11-01').filter((arg, i, all) => arg !== '--region' && all[i - 1] !== '--region');

  it('infers the region from --marketplace, as request does', async () => {
    const env = await withApp();
    const result = await env.run([...withoutRegion(), '--json'], FAKE.refreshToken);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ region: 'eu', marketplace: 'DE' });
  });

  it('refuses an explicit --region that contradicts the marketplace (exit 2), storing nothing', async () => {
    const env = await withApp();
    const result = await env.run([...withoutRegion(), '--region', 'na'], FAKE.refreshToken);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/marketplace DE belongs to region eu, not na \(--region\)/);
    expect(env.store.items.has('profile/shop-de/refresh-token')).toBe(false);
  });
});

describe('import --force replaces the authorization, not the profile', () => {
  const withContact = async () => {
    const env = await withApp();
    expect((await env.run(importArgs('--authorized-at', '2026-01-10'), FAKE.refreshToken)).code).toBe(0);
    const set = await env.run(['profile', 'set', 'shop-de', '--email', 'ops@shop.example', '--language', 'de']);
    expect(set.code, set.stderr).toBe(0);
    return env;
  };
  const profile = async (env: FakeEnvironment) => JSON.parse((await env.run(['profile', 'show', 'shop-de', '--json'])).stdout);

  it('the same seller keeps its contact, quietly; the dates are the new token\'s', async () => {
    const env = await withContact();
    const result = await env.run([...importArgs('--expires-at', '2027-10-01'), '--force'], `${FAKE.refreshToken}-2`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
    const shown = await profile(env);
    expect(shown).toMatchObject({ contact: { email: 'ops@shop.example', language: 'de' }, expiresAt: new Date(2027, 9, 1).toISOString() });
    expect(shown.authorizedAt).toBeUndefined();
    expect(env.store.items.get('profile/shop-de/refresh-token')).toBe(`${FAKE.refreshToken}-2`);
  });

  it('another seller keeps the contact too, with a warning that says how to change it', async () => {
    const env = await withContact();
    const args = importArgs('--authorized-at', '2026-11-01').map((a) => (a === 'A3EXAMPLE12345' ? 'A9OTHERSELLER9' : a));
    const result = await env.run([...args, '--force'], FAKE.refreshToken);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: profile shop-de now belongs to selling partner A9OTHERSELLER9 (was A3EXAMPLE12345) and keeps its contact ops@shop.example; change it with: amz-token profile set shop-de --email ADDR (or --no-email)');
    expect(await profile(env)).toMatchObject({ sellingPartnerId: 'A9OTHERSELLER9', contact: { email: 'ops@shop.example', language: 'de' } });
  });
});
