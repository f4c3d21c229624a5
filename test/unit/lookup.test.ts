// The "no such profile/app" error: one short hint even with thousands of
// profiles, naming the closest few first.
import { describe, expect, it } from 'vitest';
import { findApp, findProfile } from '../../src/config/lookup.js';
import { emptyConfig, type Config, type ProfileRecord } from '../../src/config/config.js';
import { NotFoundError } from '../../src/errors.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PROFILE: ProfileRecord = { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE12345', expiresAt: '2027-01-01T00:00:00.000Z' };

function configWith(profiles: string[]): Config {
  const config = emptyConfig();
  for (const name of profiles) config.profiles[name] = PROFILE;
  return config;
}

function notFound(run: () => unknown): NotFoundError {
  try {
    run();
  } catch (error) {
    if (error instanceof NotFoundError) return error;
    throw error;
  }
  throw new Error('expected a NotFoundError');
}

describe('not found', () => {
  it('with 5,000 profiles the hint shows a few and a count, on one short line', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `seller-${String(i).padStart(4, '0')}`);
    const error = notFound(() => findProfile(configWith(names), 'ghost'));
    expect(error.hint!.length).toBeLessThan(200);
    expect(error.hint).toMatch(/^known profiles: seller-0000, seller-0001, seller-0002, seller-0003, seller-0004 and 4,995 more \(amz-token status lists them\)$/);
  });

  it('names the closest profiles first, so a typo finds its match', () => {
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'shop-de', 'shop-fr'];
    expect(notFound(() => findProfile(configWith(names), 'shop-dee')).hint).toMatch(/^known profiles: shop-de, shop-fr, /);
  });

  it("app remove names a few of the thousands of profiles that use the app, and one to remove", async () => {
    const { fakeEnvironment, FAKE } = await import('../support/fake-deps.js');
    const env = fakeEnvironment();
    await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'], FAKE.clientSecret);
    const config = JSON.parse(readFileSync(join(env.deps.configDir, 'config.json'), 'utf8'));
    for (let i = 0; i < 3000; i++) config.profiles[`seller-${i}`] = PROFILE;
    writeFileSync(join(env.deps.configDir, 'config.json'), JSON.stringify(config));
    const result = await env.run(['app', 'remove', 'my-app']);
    expect(result.code).toBe(2);
    expect(result.stderr.length).toBeLessThan(400);
    expect(result.stderr).toContain('is used by 3000 profiles: seller-0, seller-1, ');
    expect(result.stderr).toContain('e.g. amz-token remove --profile seller-0');
  });

  it('lists them all when there are few', () => {
    expect(notFound(() => findProfile(configWith(['a', 'b']), 'c')).hint).toBe('known profiles: a, b');
    expect(notFound(() => findApp(emptyConfig(), 'x')).hint).toBe('register one with amz-token app add');
  });
});
