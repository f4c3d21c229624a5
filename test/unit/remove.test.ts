// `remove` deletes a refresh token, so it asks first on a terminal (default
// no); scripts say --yes. Prompts answered with Ctrl-C or "no" exit 130.
import { describe, expect, it } from 'vitest';
import { fakeEnvironment, FAKE, type FakeEnvironment } from '../support/fake-deps.js';

const NOW = new Date('2026-11-27T12:00:00Z');

async function withProfile(options: { stdinIsTTY?: boolean } = {}): Promise<FakeEnvironment> {
  const env = fakeEnvironment({ now: NOW, ...options });
  const tty = options.stdinIsTTY === true;
  // On a "terminal" the secret comes from the hidden prompt, typed and ended with Enter.
  const added = await env.run(['app', 'add', 'my-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb'], tty ? `${FAKE.clientSecret}\r` : FAKE.clientSecret);
  expect(added.code, added.stderr).toBe(0);
  const imported = await env.run(
    ['import', '--profile', 'shop-de', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01'],
    tty ? `${FAKE.refreshToken}\r` : FAKE.refreshToken,
  );
  expect(imported.code, imported.stderr).toBe(0);
  return env;
}

const kept = (env: FakeEnvironment) => env.store.items.has('profile/shop-de/refresh-token');

describe('remove asks first', () => {
  it('on a terminal, "y" removes the profile and its tokens', async () => {
    const env = await withProfile({ stdinIsTTY: true });
    const result = await env.run(['remove', '--profile', 'shop-de'], 'y\r');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Remove profile shop-de \(selling partner A3EXAMPLE12345, DE\) and its refresh token from this machine\? \[y\/N\]/);
    expect(kept(env)).toBe(false);
  });

  it.each([
    ['Enter (the default is no)', '\r'],
    ['"n"', 'n\r'],
    ['anything but yes', 'sure\r'],
    ['Ctrl-C', '\u0003'],
  ])('on a terminal, %s keeps everything and exits 130', async (_name, answer) => {
    const env = await withProfile({ stdinIsTTY: true });
    const result = await env.run(['remove', '--profile', 'shop-de'], answer);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/amz-token: cancelled: profile shop-de was kept/);
    expect(kept(env)).toBe(true);
    expect((await env.run(['status', '--json'])).stdout).toContain('"shop-de"');
  });

  it('--yes removes without asking, for scripts', async () => {
    const env = await withProfile();
    const result = await env.run(['remove', '--profile', 'shop-de', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('[y/N]');
    expect(kept(env)).toBe(false);
  });

  it.each([
    ['--no-input', ['--no-input'], true],
    ['stdin not a terminal', [], false],
  ])('without --yes and nobody to ask (%s) it refuses with exit 2 and says to pass --yes', async (_name, flags, tty) => {
    const env = await withProfile({ stdinIsTTY: tty });
    const result = await env.run(['remove', '--profile', 'shop-de', ...flags], 'y\r');
    expect(result.code).toBe(2);
    const [, hint] = result.stderr.trim().split('\n');
    expect(hint).toBe('  to remove it without asking: amz-token remove --profile shop-de --yes');
    expect(kept(env)).toBe(true);
  });

  it('an unknown profile is exit 5 before any question', async () => {
    const env = await withProfile({ stdinIsTTY: true });
    const result = await env.run(['remove', '--profile', 'ghost']);
    expect(result.code).toBe(5);
    expect(result.stderr).not.toContain('[y/N]');
  });

  it('prints what it removed with --json', async () => {
    const env = await withProfile();
    const result = await env.run(['remove', '--profile', 'shop-de', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ removed: { profile: 'shop-de' } });
  });
});

describe('Ctrl-C at a secret prompt', () => {
  it.each([
    ['app add', ['app', 'add', 'other', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/cb']],
    ['app set-secret', ['app', 'set-secret', 'my-app']],
    ['import', ['import', '--profile', 'p2', '--app', 'my-app', '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', 'A3EXAMPLE12345', '--authorized-at', '2026-03-01']],
  ])('%s: is a cancel, exit 130, nothing stored', async (_name, argv) => {
    const env = await withProfile({ stdinIsTTY: true });
    const before = new Map(env.store.items);
    const result = await env.run(argv, 'amzn1.oa2-cs.v1.half-typed\u0003');
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/amz-token: cancelled at the prompt; nothing was stored/);
    expect(env.store.items).toEqual(before);
  });
});
