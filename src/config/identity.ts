// A profile's seller as Amazon named it at the last authorization (src/amazon/identity.ts):
// the "identity" entry of a profile in config.json, and its validation.

import { ConfigError } from '../errors.js';
import type { SellerIdentity } from '../amazon/identity.js';

/** A profile's "identity": who Amazon said granted its current token; renewals must match it. */
export interface ProfileIdentity extends SellerIdentity {
  /** ISO 8601: when Amazon said so. */
  learnedAt: string;
}

const SELLER_ID = /^[A-Z0-9]{6,32}$/;
const COUNTRY = /^[A-Z]{2}$/;
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Validates `where` (profiles.NAME.identity); every problem names the file and the field. */
export function parseIdentity(value: unknown, where: string, file: string): ProfileIdentity {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, `${where} must be an object`);
  const v = value as Record<string, unknown>;
  const learnedAt = v.learnedAt;
  if (typeof learnedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(learnedAt) || Number.isNaN(Date.parse(learnedAt))) {
    throw new ConfigError(file, `${where}.learnedAt must be an ISO 8601 date-time`);
  }
  const identity: ProfileIdentity = { learnedAt };
  if (v.sellerId !== undefined) {
    if (typeof v.sellerId !== 'string' || !SELLER_ID.test(v.sellerId)) throw new ConfigError(file, `${where}.sellerId must be a selling partner id (upper-case letters and digits)`);
    identity.sellerId = v.sellerId;
  }
  if (v.storeName !== undefined) {
    if (typeof v.storeName !== 'string' || v.storeName.trim() === '' || v.storeName.length > 200 || UNSAFE.test(v.storeName)) {
      throw new ConfigError(file, `${where}.storeName must be one line of at most 200 characters`);
    }
    identity.storeName = v.storeName;
  }
  if (v.marketplaces !== undefined) {
    if (!Array.isArray(v.marketplaces) || v.marketplaces.length > 64 || !v.marketplaces.every((m) => typeof m === 'string' && COUNTRY.test(m))) {
      throw new ConfigError(file, `${where}.marketplaces must be a list of country codes, e.g. ["DE","FR"]`);
    }
    identity.marketplaces = [...(v.marketplaces as string[])];
  }
  return identity;
}

/** The identity to record: what Amazon said now, stamped. */
export function recordedIdentity(identity: SellerIdentity, now: Date): ProfileIdentity | undefined {
  if (!identity.sellerId && !identity.storeName) return undefined;
  return { ...identity, learnedAt: now.toISOString() };
}
