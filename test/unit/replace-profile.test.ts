// What a new authorization keeps of the profile it replaces: the contact and the last reminder
// always, the recorded seller identity only for the same seller, the authorization's dates never.
import { describe, expect, it } from 'vitest';
import type { ProfileRecord } from '../../src/config/config.js';
import { keptContactWarning, replacedProfile } from '../../src/config/replace-profile.js';
import { isoFromNow } from '../support/dates.js';

const existing: ProfileRecord = {
  app: 'my-app',
  region: 'eu',
  marketplace: 'DE',
  role: 'seller',
  sellingPartnerId: 'A3EXAMPLE12345',
  authorizedAt: isoFromNow(-300),
  expiresAt: isoFromNow(65),
  identity: { sellerId: 'A3EXAMPLE12345', storeName: 'Shop DE', learnedAt: isoFromNow(-300) },
  contact: { email: 'ops@shop.example', language: 'de' },
  reminded: { sentAt: isoFromNow(-3), to: 'ops@shop.example', invitation: 'AAAAAAAAAAAAAAAA', expiresAt: isoFromNow(65) },
};
// One expiry for every fresh record: counted from now once, so two calls compare equal.
const FRESH_EXPIRY = isoFromNow(300);
const fresh = (changes: Partial<ProfileRecord> = {}): ProfileRecord => ({
  app: 'my-app',
  region: 'eu',
  marketplace: 'DE',
  role: 'seller',
  sellingPartnerId: 'A3EXAMPLE12345',
  expiresAt: FRESH_EXPIRY,
  ...changes,
});

describe('replacedProfile', () => {
  it('a new profile is the fresh record as it is', () => {
    expect(replacedProfile(undefined, fresh())).toEqual(fresh());
  });

  it('the same seller: the new dates, and the contact, last reminder and identity of the old record', () => {
    const record = replacedProfile(existing, fresh());
    expect(record).toEqual({ ...fresh(), contact: existing.contact, reminded: existing.reminded, identity: existing.identity });
    // The old authorizedAt belongs to the old token: an import that knew only the expiry has none.
    expect(record.authorizedAt).toBeUndefined();
  });

  it('an identity the new grant taught replaces the old one', () => {
    const identity = { sellerId: 'A3EXAMPLE12345', storeName: 'Shop DE GmbH', learnedAt: isoFromNow(0) };
    expect(replacedProfile(existing, fresh({ identity })).identity).toEqual(identity);
  });

  it('another seller: contact and last reminder stay, the old seller\'s identity goes', () => {
    const record = replacedProfile(existing, fresh({ sellingPartnerId: 'A9OTHERSELLER9', app: 'other-app', marketplace: 'FR' }));
    expect(record).toEqual({ ...fresh({ sellingPartnerId: 'A9OTHERSELLER9', app: 'other-app', marketplace: 'FR' }), contact: existing.contact, reminded: existing.reminded });
    expect(record.identity).toBeUndefined();
  });

  it('an unknown seller on either side is never taken for the same one', () => {
    expect(replacedProfile(existing, fresh({ sellingPartnerId: 'UNKNOWN' })).identity).toBeUndefined();
    const unknown = { ...existing, sellingPartnerId: 'UNKNOWN', identity: { storeName: 'Shop DE', learnedAt: isoFromNow(-1) } };
    expect(replacedProfile(unknown, fresh()).identity).toBeUndefined();
    expect(replacedProfile(unknown, fresh()).contact).toEqual(existing.contact);
  });

  it('a contact the fresh record brings (a new seller\'s invitation) wins', () => {
    const contact = { email: 'new@shop.example', language: 'en' as const };
    expect(replacedProfile(existing, fresh({ contact })).contact).toEqual(contact);
  });
});

describe('keptContactWarning', () => {
  it('speaks only when a profile with a contact passes to another known seller', () => {
    expect(keptContactWarning('shop-de', existing, fresh())).toBeUndefined();
    expect(keptContactWarning('shop-de', undefined, fresh())).toBeUndefined();
    expect(keptContactWarning('shop-de', { ...existing, contact: undefined } as ProfileRecord, fresh({ sellingPartnerId: 'A9OTHERSELLER9' }))).toBeUndefined();
    expect(keptContactWarning('shop-de', { ...existing, sellingPartnerId: 'UNKNOWN', identity: undefined } as ProfileRecord, fresh())).toBeUndefined();
    expect(keptContactWarning('shop-de', existing, fresh({ sellingPartnerId: 'A9OTHERSELLER9' }))).toBe(
      'warning: profile shop-de now belongs to selling partner A9OTHERSELLER9 (was A3EXAMPLE12345) and keeps its contact ops@shop.example; change it with: amz-token profile set shop-de --email ADDR (or --no-email)',
    );
  });
});
