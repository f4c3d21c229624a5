// Invitation records in config.json: who an invitation link is for and whether
// it still works. The link itself is signed (src/serve/signing.ts) and never
// stored; the record is what makes a link usable once, revocable and listable.

import { ConfigError, configRule } from '../errors.js';
import * as validate from '../validate.js';
import { parseContact, type Contact } from './contact.js';

/** renewal: an existing profile's seller renews; new-seller: the seller becomes a new profile. */
export type InvitationKind = 'renewal' | 'new-seller';

export interface InvitationRecord {
  kind: InvitationKind;
  profile: string;
  app: string;
  marketplace: string;
  /** As a profile's role (config.ts's Role; spelled out here so the two modules do not import each other). */
  role: 'seller' | 'vendor';
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  revokedAt?: string;
  /** new-seller only: how to reach the seller (`invite --email`), which the new profile takes over. */
  contact?: Contact;
}

export type InvitationState = 'pending' | 'used' | 'expired' | 'revoked';

/** 12 random bytes, base64url: short enough for a table, too many to guess. */
export const INVITATION_ID = /^[A-Za-z0-9_-]{16}$/;

export function invitationState(record: InvitationRecord, now: Date): InvitationState {
  if (record.usedAt) return 'used';
  if (record.revokedAt) return 'revoked';
  return Date.parse(record.expiresAt) <= now.getTime() ? 'expired' : 'pending';
}

/** Validates config.json's "invitations" section; every problem names the file and the field. */
export function parseInvitations(raw: unknown, file: string): Record<string, InvitationRecord> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(file, '"invitations" must be an object');
  const out: Record<string, InvitationRecord> = {};
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `invitations.${id.slice(0, 20).replace(/[^A-Za-z0-9_-]/g, '?')}`;
    if (!INVITATION_ID.test(id)) throw new ConfigError(file, `${where}: an invitation id is 16 letters, digits, - or _`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, `${where} must be an object`);
    const v = value as Record<string, unknown>;
    const text = (key: string): string => {
      if (typeof v[key] !== 'string' || v[key] === '') throw new ConfigError(file, `${where}.${key} must be a non-empty string`);
      return v[key] as string;
    };
    const when = (key: string): string => {
      const value = text(key);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) throw new ConfigError(file, `${where}.${key} must be an ISO 8601 date-time`);
      return value;
    };
    const ruled = <T>(rule: () => T): T => configRule(rule, file);
    const kind = text('kind');
    if (kind !== 'renewal' && kind !== 'new-seller') throw new ConfigError(file, `${where}.kind must be renewal or new-seller`);
    const role = text('role');
    if (role !== 'seller' && role !== 'vendor') throw new ConfigError(file, `${where}.role must be seller or vendor`);
    const record: InvitationRecord = {
      kind,
      profile: ruled(() => validate.profileName(text('profile'), `${where}.profile`)),
      app: ruled(() => validate.appName(text('app'), `${where}.app`)),
      marketplace: ruled(() => validate.marketplace(text('marketplace'), `${where}.marketplace`).code),
      role,
      createdAt: when('createdAt'),
      expiresAt: when('expiresAt'),
    };
    if (v.usedAt !== undefined) record.usedAt = when('usedAt');
    if (v.revokedAt !== undefined) record.revokedAt = when('revokedAt');
    if (v.contact !== undefined) record.contact = parseContact(v.contact, `${where}.contact`, file);
    out[id] = record;
  }
  return out;
}

/** Pending invitations by profile: for status. */
export function pendingInvitations(config: { invitations?: Record<string, InvitationRecord> }, now: Date): Map<string, { id: string; expiresAt: string }> {
  const pending = new Map<string, { id: string; expiresAt: string }>();
  for (const [id, record] of Object.entries(config.invitations ?? {})) {
    if (invitationState(record, now) !== 'pending') continue;
    const known = pending.get(record.profile);
    if (!known || known.expiresAt < record.expiresAt) pending.set(record.profile, { id, expiresAt: record.expiresAt });
  }
  return pending;
}
