// Invitation ids are typed back by operators (`invite revoke ID`): none may start with '-',
// which commander would read as an option (exit 2, "unknown option").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addInvitations } from '../../src/serve/invitations.js';

function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amz-token-invitation-id-'));
  const now = Date.now();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      version: 1,
      apps: { 'my-app': { appId: 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000', clientId: 'amzn1.application-oa2-client.00000000000000000000000000000000', redirectUri: 'https://auth.example.com/amz-token/callback', draft: false, clientSecretCreatedAt: new Date(now - 10 * 86_400_000).toISOString() } },
      profiles: {
        'shop-de': { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3TESTSELLER01', authorizedAt: new Date(now - 300 * 86_400_000).toISOString(), expiresAt: new Date(now + 65 * 86_400_000).toISOString() },
      },
    }),
  );
  return dir;
}

describe('invitation ids', () => {
  it('never start with "-", even when the random bytes encode to one', async () => {
    // 0xfb... is "-" in base64url's first place.
    const [made] = await addInvitations(configDir(), [{ profile: 'shop-de', kind: 'renewal', expiresInDays: 7 }], new Date(), (n) => Buffer.alloc(n, 0xfb));
    expect(Buffer.alloc(12, 0xfb).toString('base64url').startsWith('-')).toBe(true);
    expect(made!.id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/);
  });
});
