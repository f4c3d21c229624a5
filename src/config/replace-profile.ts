// What survives when a new authorization replaces a profile's record (import --force,
// request --force, renew, serve's callback): the authorization's own fields come from the
// new grant; what the operator keeps about the seller (contact, last reminder) always stays;
// who Amazon said the seller is stays only while the profile still belongs to that seller.

import type { ProfileRecord } from './config.js';
import type { ProfileContactFields } from './contact.js';

/** The fields a new authorization brings; every other field of a profile belongs to the profile and is kept. */
const AUTHORIZATION_FIELDS = ['app', 'region', 'marketplace', 'role', 'sellingPartnerId', 'authorizedAt', 'expiresAt', 'identity'] as const;
type AuthorizationField = (typeof AUTHORIZATION_FIELDS)[number];
// A field added to ProfileRecord must be placed on one side or the other: this fails to compile until it is.
type Unplaced = Exclude<keyof ProfileRecord, AuthorizationField | keyof ProfileContactFields>;
const everyFieldPlaced: [Unplaced] extends [never] ? true : never = true;
void everyFieldPlaced;

/** The seller a record names: Amazon's word where recorded, else the profile's id; undefined when unknown. */
function sellerOf(record: ProfileRecord): string | undefined {
  const id = record.identity?.sellerId ?? record.sellingPartnerId;
  return id === 'UNKNOWN' ? undefined : id;
}

/** Whether both records name the same, known seller. */
export function sameSellerRecorded(a: ProfileRecord, b: ProfileRecord): boolean {
  const seller = sellerOf(a);
  return seller !== undefined && seller === sellerOf(b);
}

/**
 * The record to store when `fresh` (built from the new grant alone) replaces `existing`.
 * The old identity is kept when the new grant taught none and the seller is the same;
 * a new seller's profile never carries the previous seller's identity.
 */
export function replacedProfile(existing: ProfileRecord | undefined, fresh: ProfileRecord): ProfileRecord {
  if (!existing) return fresh;
  const kept: Partial<ProfileRecord> = { ...existing };
  for (const field of AUTHORIZATION_FIELDS) delete kept[field];
  const identity = fresh.identity ?? (existing.identity && sameSellerRecorded(existing, fresh) ? existing.identity : undefined);
  const record: ProfileRecord = { ...kept, ...fresh };
  if (identity) record.identity = identity;
  return record;
}

/**
 * The warning owed when a profile passes to another seller and keeps its contact: the mail
 * address was the old seller's. Undefined when there is nothing to say.
 */
export function keptContactWarning(profile: string, existing: ProfileRecord | undefined, stored: ProfileRecord): string | undefined {
  const [before, after] = [existing && sellerOf(existing), sellerOf(stored)];
  // An unknown seller becoming known is no change of hands.
  if (!existing?.contact || before === undefined || after === undefined || before === after) return undefined;
  return `warning: profile ${profile} now belongs to selling partner ${after} (was ${before}) and keeps its contact ${existing.contact.email}; change it with: amz-token profile set ${profile} --email ADDR (or --no-email)`;
}
