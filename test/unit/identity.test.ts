// Who granted a token: the comparison serve and renew apply, the identity's place in config.json,
// and the two SP-API calls against the Amazon double (Pricing role or not, one store per seller).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareIdentity, learnIdentity } from '../../src/amazon/identity.js';
import { judge, sellerIdOnRecord } from '../../src/flow/same-seller.js';
import { emptyConfig, loadConfig, updateConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';
import { FAKE } from '../support/fake-deps.js';

const doubles: AmazonDouble[] = [];
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

describe('compareIdentity', () => {
  it('decides by seller id when both have one, else by store name and the same marketplaces, else refuses as unknown', () => {
    expect(compareIdentity({ sellerId: 'A1X', storeName: 'Acme' }, { sellerId: 'A1X', storeName: 'Renamed' })).toEqual({ same: true, by: 'seller id' });
    expect(compareIdentity({ sellerId: 'A1X', storeName: 'Acme', marketplaces: ['DE'] }, { sellerId: 'A2Y', storeName: 'Acme', marketplaces: ['DE'] }).same).toBe(false);
    expect(compareIdentity({ sellerId: 'A1X', storeName: 'Acme', marketplaces: ['DE', 'FR'] }, { storeName: 'Acme', marketplaces: ['DE', 'FR'] })).toEqual({ same: true, by: 'store name' });
    expect(compareIdentity({ storeName: 'Acme', marketplaces: ['DE', 'FR'] }, { storeName: 'Acme', marketplaces: ['DE'] }).same).toBe(false);
    expect(compareIdentity({ storeName: 'Acme', marketplaces: ['DE'] }, { storeName: 'Acme GmbH', marketplaces: ['DE'] }).same).toBe(false);
    expect(compareIdentity({ storeName: 'Acme' }, { storeName: 'Acme' })).toMatchObject({ same: false, why: expect.stringMatching(/could not be learned/) });
    expect(compareIdentity({}, { sellerId: 'A1X' }).same).toBe(false);
  });
});

describe("a lapsed profile without a recorded identity: its selling partner id stands in", () => {
  it('matches only the seller id Amazon names for the new grant; UNKNOWN, a malformed id or a store name alone never match', () => {
    expect(judge(sellerIdOnRecord({ sellingPartnerId: 'A3EXAMPLE12345' }), { sellerId: 'A3EXAMPLE12345', storeName: 'Acme' })).toEqual({ same: true, by: 'seller id' });
    expect(judge(sellerIdOnRecord({ sellingPartnerId: 'A3EXAMPLE12345' }), { sellerId: 'A2ATTACKER9999' }).same).toBe(false);
    // An app without the Pricing role learns no seller id: the record alone cannot vouch for a store name.
    expect(judge(sellerIdOnRecord({ sellingPartnerId: 'A3EXAMPLE12345' }), { storeName: 'Acme', marketplaces: ['DE'] }).same).toBe(false);
    expect(sellerIdOnRecord({ sellingPartnerId: 'UNKNOWN' })).toBeUndefined();
    expect(sellerIdOnRecord({ sellingPartnerId: 'a1b"<x>' })).toBeUndefined();
    expect(judge(undefined, { sellerId: 'A3EXAMPLE12345' }).same).toBe(false);
  });
});

describe('learnIdentity against the double', () => {
  async function double(): Promise<AmazonDouble> {
    const d = await startAmazonDouble({ apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://x.example/cb'] }] });
    doubles.push(d);
    return d;
  }
  async function accessTokenFor(d: AmazonDouble, seller: string): Promise<string> {
    const refreshToken = d.issueRefreshToken(FAKE.clientId, seller);
    const reply = await fetch(d.lwaUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: FAKE.clientId, client_secret: FAKE.clientSecret }) });
    return ((await reply.json()) as { access_token: string }).access_token;
  }
  const options = (d: AmazonDouble) => ({ origin: d.spApiOrigin, marketplace: 'DE', timeoutMs: 5000, retries: 0, profile: 'p', app: 'a' });

  it('names the seller id (Pricing role), the store name and marketplaces of the seller the token belongs to', async () => {
    const d = await double();
    d.stores.A1ACME = { storeName: 'Acme GmbH', marketplaces: ['FR', 'DE'] };
    expect(await learnIdentity(options(d), await accessTokenFor(d, 'A1ACME'))).toEqual({ sellerId: 'A1ACME', storeName: 'Acme GmbH', marketplaces: ['DE', 'FR'] });
    expect(await learnIdentity(options(d), await accessTokenFor(d, 'A2OTHER'))).toEqual({ sellerId: 'A2OTHER', storeName: 'Store A2OTHER', marketplaces: ['DE'] });
    expect(d.feesRequests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('without the Pricing role the Fees API answers 403 and only the store is known; an unknown token tells nothing', async () => {
    const d = await double();
    d.setRoles(FAKE.clientId, ['Product Listing']);
    expect(await learnIdentity(options(d), await accessTokenFor(d, 'A1ACME'))).toEqual({ storeName: 'Store A1ACME', marketplaces: ['DE'] });
    expect(d.feesRequests.at(-1)?.status).toBe(403);
    expect(await learnIdentity(options(d), 'Atza|not-one-of-ours')).toEqual({});
  });
});

describe('config.json keeps only what its loader accepts', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'amz-token-identity-'));
  const app = { appId: 'amzn1.sp.solution.00000000-0000-0000-0000-000000000000', clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef', redirectUri: 'https://x.example/cb', draft: false, clientSecretCreatedAt: new Date().toISOString() };
  const profile = { app: 'app', region: 'eu' as const, marketplace: 'DE', role: 'seller' as const, sellingPartnerId: 'A1ACME', expiresAt: new Date(Date.now() + 86_400_000).toISOString() };

  it('stores an identity and reads it back', async () => {
    const d = dir();
    await updateConfig(d, (c) => Object.assign(c, { ...emptyConfig(), apps: { app }, profiles: { shop: { ...profile, identity: { sellerId: 'A1ACME', storeName: 'Acme GmbH', marketplaces: ['DE'], learnedAt: new Date().toISOString() } } } }));
    expect((await loadConfig(d)).profiles.shop!.identity).toMatchObject({ storeName: 'Acme GmbH' });
  });

  it('refuses a write that would break the file (a seller id with markup, a store name with a control character), and the file stays as it was', async () => {
    const d = dir();
    await updateConfig(d, (c) => Object.assign(c, { ...emptyConfig(), apps: { app }, profiles: { shop: profile } }));
    const before = readFileSync(join(d, 'config.json'), 'utf8');
    await expect(updateConfig(d, (c) => void (c.profiles.shop!.sellingPartnerId = 'a1b"<x>'))).rejects.toThrow(ConfigError);
    await expect(updateConfig(d, (c) => void (c.profiles.shop!.sellingPartnerId = 'a1b"<x>'))).rejects.toThrow(/was not changed: the change would make it invalid \(profiles\.shop\.sellingPartnerId/);
    await expect(updateConfig(d, (c) => void (c.profiles.shop!.identity = { storeName: 'Acme\u001b[2J', learnedAt: new Date().toISOString() }))).rejects.toThrow(/storeName/);
    expect(readFileSync(join(d, 'config.json'), 'utf8')).toBe(before);
    // A file edited by hand that breaks the rule is refused on reading, as before.
    writeFileSync(join(d, 'config.json'), before.replace('"A1ACME"', '"a1b<x>"'));
    await expect(loadConfig(d)).rejects.toThrow(ConfigError);
  });
});
