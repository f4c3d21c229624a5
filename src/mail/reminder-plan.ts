// Who gets a reminder now, and with which link: the one decision behind `remind`'s dry run and
// its --send, made again under the config lock before any link is made. Pure: config and clock in.

import type { Config, ProfileRecord } from '../config/config.js';
import type { Language } from '../config/contact.js';
import { invitationState, type InvitationRecord } from '../config/invitations.js';
import { daysLeft, expiryState } from '../expiry.js';
import { checkInvitation } from '../serve/invitations.js';
import { MIN_LINK_DAYS, REMINDER_INTERVAL_DAYS, REMINDER_LINK_DAYS } from './cadence.js';

const DAY_MS = 86_400_000;

interface Lapsing {
  profile: string;
  record: ProfileRecord;
  expiresAt: string;
  daysLeft: number;
}

export type Reminder =
  | (Lapsing & {
      action: 'send';
      to: string;
      language: Language;
      /** The pending invitation to mail, or undefined: a new one is made. */
      invitation?: { id: string; expiresAt: string };
      /** A pending invitation of an earlier reminder that a new link replaces: withdrawn when that is made. */
      replaces?: string;
    })
  | (Lapsing & { action: 'no-address' })
  | (Lapsing & { action: 'reminded'; sentAt: string; to: string; nextAt: string });

/** Every profile (or only `only`) that lapses within `warnDays` (or has lapsed), soonest first, with what to do for it. */
export function planReminders(config: Config, now: Date, warnDays: number, only?: string): Reminder[] {
  return Object.entries(config.profiles)
    .filter(([name, p]) => (only === undefined || name === only) && expiryState(new Date(p.expiresAt), now, warnDays) !== 'ok')
    .sort(([a, x], [b, y]) => x.expiresAt.localeCompare(y.expiresAt) || a.localeCompare(b))
    .map(([profile, record]): Reminder => {
      const lapsing: Lapsing = { profile, record, expiresAt: record.expiresAt, daysLeft: daysLeft(new Date(record.expiresAt), now) };
      const last = record.reminded;
      // About this same authorization (a renewal moves expiresAt) and within the week: not again yet.
      if (last && last.expiresAt === record.expiresAt && Date.parse(last.sentAt) + REMINDER_INTERVAL_DAYS * DAY_MS > now.getTime()) {
        return { ...lapsing, action: 'reminded', sentAt: last.sentAt, to: last.to, nextAt: new Date(Date.parse(last.sentAt) + REMINDER_INTERVAL_DAYS * DAY_MS).toISOString() };
      }
      if (!record.contact) return { ...lapsing, action: 'no-address' };
      const invitation = usableInvitation(config, profile, now);
      const earlier = last && config.invitations?.[last.invitation];
      const replaces = !invitation && earlier && invitationState(earlier, now) === 'pending' ? last.invitation : undefined;
      return { ...lapsing, action: 'send', to: record.contact.email, language: record.contact.language, ...(invitation ? { invitation } : {}), ...(replaces ? { replaces } : {}) };
    });
}

/** The profile's pending renewal link that works longest, if it works at least MIN_LINK_DAYS more. */
function usableInvitation(config: Config, profile: string, now: Date): { id: string; expiresAt: string } | undefined {
  let best: { id: string; expiresAt: string } | undefined;
  for (const [id, record] of Object.entries(config.invitations ?? {}) as Array<[string, InvitationRecord]>) {
    if (record.profile !== profile || record.kind !== 'renewal' || !checkInvitation(config, id, now).ok) continue;
    if (Date.parse(record.expiresAt) - now.getTime() < MIN_LINK_DAYS * DAY_MS) continue;
    if (!best || best.expiresAt < record.expiresAt) best = { id, expiresAt: record.expiresAt };
  }
  return best;
}

/** A renewal invitation made for a reminder (the caller adds it to config.json under its id). */
export function reminderInvitation(config: Config, profile: string, now: Date): InvitationRecord {
  const p = config.profiles[profile]!;
  return { kind: 'renewal', profile, app: p.app, marketplace: p.marketplace, role: p.role, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + REMINDER_LINK_DAYS * DAY_MS).toISOString() };
}
