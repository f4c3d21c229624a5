// `store prune`: entries of the store that no app or profile of this config.json uses.
import { describe, expect, it } from 'vitest';
import { fakeEnvironment, FAKE } from '../support/fake-deps.js';
import { writeConfig } from '../support/config-file.js';

function seeded() {
  const env = fakeEnvironment();
  writeConfig(env.deps.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: '2026-10-01T00:00:00Z' } },
    profiles: { shop: { expiresAt: '2027-10-01T00:00:00Z', authorizedAt: '2026-10-01T00:00:00Z' } },
  });
  for (const account of ['app/my-app/client-secret', 'profile/shop/refresh-token', 'profile/shop/access-token', 'profile/gone/refresh-token', 'app/old/client-secret']) {
    env.store.items.set(account, `${FAKE.refreshToken}-${account}`);
  }
  return env;
}

describe('store prune', () => {
  it('lists the unused entries by name and deletes nothing without --yes', async () => {
    const env = seeded();
    const result = await env.run(['store', 'prune']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^app\/old\/client-secret\s+delete$/m);
    expect(result.stdout).toMatch(/^profile\/gone\/refresh-token\s+delete$/m);
    expect(result.stdout).not.toMatch(/profile\/shop|my-app/);
    expect(result.stdout + result.stderr).not.toContain(FAKE.refreshToken);
    expect(env.store.items.size).toBe(5);
  });

  it('--yes deletes exactly those; --json reports them', async () => {
    const env = seeded();
    const result = await env.run(['store', 'prune', '--yes', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ unused: ['app/old/client-secret', 'profile/gone/refresh-token'], deleted: ['app/old/client-secret', 'profile/gone/refresh-token'], dryRun: false });
    expect([...env.store.items.keys()].sort()).toEqual(['app/my-app/client-secret', 'profile/shop/access-token', 'profile/shop/refresh-token']);
    const again = await env.run(['store', 'prune']);
    expect(again.code).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/holds no entry that .*config\.json does not use/);
  });
});
