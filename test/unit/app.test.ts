// `app add|set|set-secret|remove` in-process: what an operator gets wrong when
// registering an app, and changing one without losing its profiles.
import { describe, expect, it } from 'vitest';
import { fakeEnvironment, FAKE, type FakeEnvironment } from '../support/fake-deps.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const RELAY = 'https://relay.example.com/cb';
const add = (redirectUri = RELAY, more: string[] = []) => [
  'app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', redirectUri, ...more,
];

async function withApp(more: string[] = []): Promise<FakeEnvironment> {
  const env = fakeEnvironment({ now: NOW });
  const added = await env.run(add(RELAY, more), FAKE.clientSecret);
  expect(added.code, added.stderr).toBe(0);
  return env;
}

const appOf = async (env: FakeEnvironment) => JSON.parse((await env.run(['app', 'list', '--json'])).stdout).apps[0];

describe('app add', () => {
  it('refuses the LWA client id given as --app-id, saying where the application id is found', async () => {
    const env = fakeEnvironment({ now: NOW });
    const result = await env.run(['app', 'add', 'my-app', '--app-id', FAKE.clientId, '--client-id', FAKE.clientId, '--redirect-uri', RELAY], FAKE.clientSecret);
    expect(result.code).toBe(2);
    const [message, hint, ...more] = result.stderr.trim().split('\n');
    expect(message).toMatch(/--app-id .* is the LWA client id, not the application id/);
    expect(hint).toMatch(/amzn1\.sp\.solution\..*Develop Apps/);
    expect(more).toEqual([]);
  });

  it('refuses the application id given as --client-id, saying where the client id is found', async () => {
    const result = await fakeEnvironment({ now: NOW }).run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.appId, '--redirect-uri', RELAY], FAKE.clientSecret);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--client-id .* is the application id, not the LWA client id/);
    expect(result.stderr).toMatch(/LWA credentials/);
  });

  it.each([
    ['an IPv6 loopback address (the callback server listens on 127.0.0.1)', 'http://[::1]:8765/cb', /127\.0\.0\.1 only.*http:\/\/127\.0\.0\.1:8765\/cb/],
    ['port 0', 'http://127.0.0.1:0/cb', /port from 1024 to 65535/],
    ['port 80, written out', 'http://localhost:80/cb', /port from 1024 to 65535/],
    ['port 80, implied', 'http://127.0.0.1/cb', /port from 1024 to 65535/],
    ['a privileged port', 'http://127.0.0.1:443/cb', /port from 1024 to 65535/],
  ])('refuses a loopback redirect URI that request would refuse later: %s', async (_name, uri, message) => {
    const env = fakeEnvironment({ now: NOW });
    const result = await env.run(add(uri), FAKE.clientSecret);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(env.store.items.size).toBe(0);
  });

  it('accepts a loopback redirect URI the callback server can listen on', async () => {
    const result = await fakeEnvironment({ now: NOW }).run(add('http://127.0.0.1:8765/cb'), FAKE.clientSecret);
    expect(result.code, result.stderr).toBe(0);
  });

  it('refuses a --secret-created in the future (exit 2), storing nothing', async () => {
    const env = fakeEnvironment({ now: NOW });
    const result = await env.run(add(RELAY, ['--secret-created', '2026-12-01']), FAKE.clientSecret);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--secret-created 2026-12-01 is in the future/);
    expect(env.store.items.size).toBe(0);
  });
});

describe('app set', () => {
  it('changes the redirect URI, draft flag and client id, keeping the profiles and the secret', async () => {
    const env = await withApp();
    const imported = await env.run(
      ['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'],
      FAKE.refreshToken,
    );
    expect(imported.code, imported.stderr).toBe(0);
    const otherClient = 'amzn1.application-oa2-client.fedcba9876543210fedcba9876543210';
    const result = await env.run(['app', 'set', 'my-app', '--redirect-uri', 'http://127.0.0.1:8765/cb', '--draft', '--client-id', otherClient]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('redirect URI: https://relay.example.com/cb -> http://127.0.0.1:8765/cb');
    expect(await appOf(env)).toMatchObject({ app: 'my-app', redirectUri: 'http://127.0.0.1:8765/cb', draft: true, clientId: otherClient, appId: FAKE.appId });
    expect(env.store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
    expect(JSON.parse((await env.run(['status', '--json'])).stdout).profiles.map((p: { profile: string }) => p.profile)).toEqual(['shop-de']);

    expect((await env.run(['app', 'set', 'my-app', '--no-draft'])).code).toBe(0);
    expect((await appOf(env)).draft).toBe(false);
    // As with git's --x/--no-x pairs, the last one given wins.
    expect((await env.run(['app', 'set', 'my-app', '--no-draft', '--draft'])).code).toBe(0);
    expect((await appOf(env)).draft).toBe(true);
  });

  it('prints the changed app as JSON with --json', async () => {
    const env = await withApp();
    const result = await env.run(['app', 'set', 'my-app', '--draft', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ app: 'my-app', draft: true, redirectUri: RELAY });
  });

  it.each([
    ['nothing to change', ['app', 'set', 'my-app'], 2, /nothing to change/],
    ['a redirect URI the flow cannot use', ['app', 'set', 'my-app', '--redirect-uri', 'http://[::1]:8765/cb'], 2, /127\.0\.0\.1 only/],
    ['a client id given as --app-id', ['app', 'set', 'my-app', '--app-id', FAKE.clientId], 2, /is the LWA client id/],
    ['an unknown app', ['app', 'set', 'ghost', '--draft'], 5, /no app named "ghost"/],
  ])('refuses %s', async (_name, argv, code, message) => {
    const env = await withApp();
    const before = await appOf(env);
    const result = await env.run(argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(await appOf(env)).toEqual(before);
  });
});

describe('--json results of the commands that change things', () => {
  it('app set-secret prints the app and its new secret expiry', async () => {
    const env = await withApp();
    const result = await env.run(['app', 'set-secret', 'my-app', '--json'], 'amzn1.oa2-cs.v1.rotatedsecret0123456789');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ app: 'my-app', clientSecretCreatedAt: NOW.toISOString(), clientSecretExpiresAt: '2027-05-26T12:00:00.000Z' });
    expect(result.stdout).not.toContain('rotatedsecret');
  });

  it('app remove prints what it removed', async () => {
    const env = await withApp();
    const result = await env.run(['app', 'remove', 'my-app', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ removed: { app: 'my-app' } });
  });

  it('app set-secret refuses a --secret-created in the future', async () => {
    const env = await withApp();
    const result = await env.run(['app', 'set-secret', 'my-app', '--secret-created', '2027-01-01'], 'amzn1.oa2-cs.v1.rotatedsecret0123456789');
    expect(result.code).toBe(2);
    expect(env.store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
  });
});

describe('the client secret creation date', () => {
  it("app add's advice for an older secret names a command that works: app set --secret-created", async () => {
    const env = fakeEnvironment({ now: NOW });
    const added = await env.run(add(), FAKE.clientSecret);
    const advice = /correct the date with: (amz-token app set my-app --secret-created) <date>/.exec(added.stderr);
    expect(advice, added.stderr).not.toBeNull();
    const followed = await env.run([...advice![1]!.split(' ').slice(1), '2026-10-01']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toMatch(/client secret created: 2026-11-27T12:00:00\.000Z -> 2026-\d\d-\d\dT/);
    expect((await appOf(env)).clientSecretCreatedAt).toBe(new Date(2026, 9, 1).toISOString());
    // The secret itself stays: correcting a date reads none.
    expect(env.store.items.get('app/my-app/client-secret')).toBe(FAKE.clientSecret);
  });

  it('app set refuses a --secret-created in the future (exit 2), changing nothing', async () => {
    const env = await withApp();
    const result = await env.run(['app', 'set', 'my-app', '--secret-created', '2027-01-01']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--secret-created 2027-01-01 is in the future/);
    expect((await appOf(env)).clientSecretCreatedAt).toBe(NOW.toISOString());
  });

  it.each([
    ['app add', (env: FakeEnvironment) => env.run(add(RELAY, ['--secret-created', '2026-05-01']), FAKE.clientSecret), false],
    ['app set-secret', (env: FakeEnvironment) => env.run(['app', 'set-secret', 'my-app', '--secret-created', '2026-05-01'], FAKE.clientSecret), true],
    ['app set', (env: FakeEnvironment) => env.run(['app', 'set', 'my-app', '--secret-created', '2026-05-01']), true],
  ])('%s warns when the creation date puts the secret past its 180 days, and still stores it', async (_name, run, existing) => {
    const env = existing ? await withApp() : fakeEnvironment({ now: NOW });
    const result = await run(env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: this client secret expired on 2026-10-2\d .*, 180 days after it was created; LWA rejects it \(status exits 9\)/m);
    expect(result.stderr).toMatch(/amz-token app set-secret my-app$/m);
    expect((await appOf(env)).state).toBe('expired');
  });

  it('says nothing of expiry for a secret within its 180 days', async () => {
    const env = fakeEnvironment({ now: NOW });
    const result = await env.run(add(RELAY, ['--secret-created', '2026-06-15']), FAKE.clientSecret);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
  });
});
