// Invitations: making one (under the config lock), the signed link that carries
// it, and the one check every route applies before a seller is sent to Amazon.

import type { Config, Role } from '../config/config.js';
import { invitationState, type InvitationKind, type InvitationRecord } from '../config/invitations.js';
import { updateConfig } from '../config/config.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { BaseUrl } from './base-url.js';
import type { Signer } from './signing.js';
import type { Contact } from '../config/contact.js';

const DAY_MS = 86_400_000;
/** Used, expired and revoked invitations are dropped from config.json this long after they ended. */
const KEEP_ENDED_DAYS = 90;

export interface NewInvitation {
  kind: InvitationKind;
  profile: string;
  /** new-seller only: renewal takes them from the profile. */
  app?: string;
  marketplace?: string;
  role?: Role;
  /** new-seller only: the seller's address and language, for the profile it becomes. */
  contact?: Contact;
  expiresInDays: number;
}

export interface MadeInvitation {
  id: string;
  record: InvitationRecord;
}

/** Adds invitation records to config.json in one locked, atomic write; the caller signs the links. */
export async function addInvitations(configDir: string, wanted: readonly NewInvitation[], now: Date, randomBytes: (n: number) => Buffer): Promise<MadeInvitation[]> {
  return updateConfig(configDir, (config) => {
    const records = wanted.map((one) => invitationRecord(config, one, now));
    const invitations = (config.invitations = pruned(config.invitations ?? {}, now));
    // A leading '-' would read as an option in `amz-token invite revoke ID`.
    const freshId = () => randomBytes(12).toString('base64url').replace(/^-/, 'A');
    return records.map((record) => {
      const id = freshId();
      // 96 random bits do not collide; a repeat means the random source is broken.
      if (invitations[id]) throw new Error('the random source repeated an invitation id');
      invitations[id] = record;
      return { id, record };
    });
  });
}

function invitationRecord(config: Config, wanted: NewInvitation, now: Date): InvitationRecord {
  const times = { createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + wanted.expiresInDays * DAY_MS).toISOString() };
  if (wanted.kind === 'renewal') {
    const profile = config.profiles[wanted.profile];
    if (!profile) throw new NotFoundError(`no profile "${wanted.profile}"`, 'for a new seller, add --app and --marketplace');
    return { kind: 'renewal', profile: wanted.profile, app: profile.app, marketplace: profile.marketplace, role: profile.role, ...times };
  }
  if (config.profiles[wanted.profile]) {
    throw new UsageError(`profile "${wanted.profile}" exists already`, `invite its seller to renew with: amz-token invite --profile ${wanted.profile}`);
  }
  if (!wanted.app || !config.apps[wanted.app]) throw new NotFoundError(`no app "${wanted.app ?? ''}"`, 'list the apps with: amz-token app list');
  return { kind: 'new-seller', profile: wanted.profile, app: wanted.app, marketplace: wanted.marketplace!, role: wanted.role ?? 'seller', ...times, ...(wanted.contact ? { contact: wanted.contact } : {}) };
}

/** Pending invitations, and ended ones for KEEP_ENDED_DAYS; used by invite and remind alike. */
export function pruned(invitations: Record<string, InvitationRecord>, now: Date): Record<string, InvitationRecord> {
  const cutoff = now.getTime() - KEEP_ENDED_DAYS * DAY_MS;
  const ended = (r: InvitationRecord) => Date.parse(r.usedAt ?? r.revokedAt ?? r.expiresAt);
  return Object.fromEntries(Object.entries(invitations).filter(([, r]) => invitationState(r, now) === 'pending' || ended(r) > cutoff));
}

/** The link a seller opens: the invitation id and its expiry, signed. */
export function invitationLink(signer: Signer, base: BaseUrl, id: string, record: Pick<InvitationRecord, 'expiresAt'>): string {
  return `${base.href}/i/${signer.sign('invitation', { i: id, e: Math.floor(Date.parse(record.expiresAt) / 1000) })}`;
}

export type InvitationCheck = { ok: true; id: string; record: InvitationRecord } | { ok: false; why: 'used' | 'expired' | 'revoked' | 'changed' };

/**
 * Whether invitation `id` can be used now. 'changed': no such record here, or what it
 * was made for has changed since (the profile was removed, moved to another app or
 * marketplace; a new seller's profile name was taken).
 */
export function checkInvitation(config: Config, id: string | undefined, now: Date): InvitationCheck {
  const record = id === undefined ? undefined : config.invitations?.[id];
  if (id === undefined || !record) return { ok: false, why: 'changed' };
  const state = invitationState(record, now);
  if (state !== 'pending') return { ok: false, why: state };
  const profile = config.profiles[record.profile];
  if (!config.apps[record.app]) return { ok: false, why: 'changed' };
  if (record.kind === 'renewal') {
    if (!profile || profile.app !== record.app || profile.marketplace !== record.marketplace || profile.role !== record.role) return { ok: false, why: 'changed' };
  } else if (profile) {
    return { ok: false, why: 'changed' };
  }
  return { ok: true, id, record };
}
