import { describe, it, expect } from 'vitest';
import { authorizationExpiry, clientSecretExpiry, daysLeft, expiryState } from '../../src/expiry.js';

const at = (iso: string) => new Date(iso);

describe('expiry math', () => {
  it('an authorization lasts 365 days, so crossing a leap day it ends one calendar day early', () => {
    expect(authorizationExpiry(at('2023-06-01T10:00:00Z')).toISOString()).toBe('2024-05-31T10:00:00.000Z');
    expect(authorizationExpiry(at('2025-06-01T10:00:00Z')).toISOString()).toBe('2026-06-01T10:00:00.000Z');
  });

  it('an authorization made on 29 February expires on 28 February', () => {
    expect(authorizationExpiry(at('2024-02-29T08:00:00Z')).toISOString()).toBe('2025-02-28T08:00:00.000Z');
  });

  it('a client secret lasts 180 days', () => {
    expect(clientSecretExpiry(at('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-06-30T00:00:00.000Z');
  });

  it('expiry is the same instant whatever the time zone, across DST changes', () => {
    // 2026-03-29 is the EU DST switch; 365 x 24 h is exact, not a local calendar step.
    const made = at('2026-03-28T23:30:00+01:00');
    expect(authorizationExpiry(made).getTime() - made.getTime()).toBe(365 * 86_400_000);
  });

  it('is ok one millisecond before the warning window opens', () => {
    const expires = at('2027-01-31T00:00:00Z');
    expect(expiryState(expires, new Date(expires.getTime() - 30 * 86_400_000 - 1), 30)).toBe('ok');
  });

  it('is expiring from the first instant of the warning window', () => {
    const expires = at('2027-01-31T00:00:00Z');
    expect(expiryState(expires, new Date(expires.getTime() - 30 * 86_400_000), 30)).toBe('expiring');
  });

  it('is expiring one millisecond before expiry and expired at the expiry instant', () => {
    const expires = at('2027-01-31T00:00:00Z');
    expect(expiryState(expires, new Date(expires.getTime() - 1), 30)).toBe('expiring');
    expect(expiryState(expires, expires, 30)).toBe('expired');
  });

  it('with a zero-day window, it goes straight from ok to expired', () => {
    const expires = at('2027-01-31T00:00:00Z');
    expect(expiryState(expires, new Date(expires.getTime() - 1), 0)).toBe('ok');
    expect(expiryState(expires, expires, 0)).toBe('expired');
  });

  it('counts whole days left toward zero after rounding to the minute, and negative days once a day past expiry', () => {
    const expires = at('2027-01-31T00:00:00Z');
    expect(daysLeft(expires, at('2027-01-07T23:59:00Z'))).toBe(23);
    expect(daysLeft(expires, at('2027-01-08T00:00:00Z'))).toBe(23);
    expect(daysLeft(expires, at('2027-01-30T12:00:00Z'))).toBe(0);
    expect(daysLeft(expires, at('2027-02-02T00:00:00Z'))).toBe(-2);
    expect(daysLeft(expires, at('2027-02-02T12:00:00Z'))).toBe(-2);
    // A grant made seconds ago: 365, as the table says, not 364.
    expect(daysLeft(expires, new Date(expires.getTime() - 365 * 86_400_000 + 2_500))).toBe(365);
  });
});
