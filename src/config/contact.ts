// What the operator keeps about a seller to reach them (an address and a language), and the
// record of the last reminder mailed to it (`amz-token remind`). Both live on the profile in
// config.json; a new seller's invitation carries the contact until the seller confirms.
// Free of I/O: config.json's validation and the flags share these rules.

import { ConfigError, UsageError, configRule } from '../errors.js';

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Contact {
  email: string;
  language: Language;
}

/** The last reminder sent to a profile's seller (`remind --send`): what, when, to whom, with which link. */
export interface ReminderRecord {
  sentAt: string;
  to: string;
  /** The invitation whose link the mail carried. */
  invitation: string;
  /** The authorization expiry the mail was about. */
  expiresAt: string;
}

// A practical subset of RFC 5321: one local part and a dotted domain, no spaces, quotes, angle
// brackets, commas or control characters, so that an address can never carry a second recipient
// or a header into a mail, nor escape codes onto a terminal.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A mail address as the flags and config.json accept it; a UsageError names `what`. */
export function emailAddress(value: string, what = '--email'): string {
  const flat = value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
  if (!ADDRESS.test(value) || value.includes('..') || value.startsWith('.') || value.split('@')[0]!.endsWith('.')) {
    throw new UsageError(`${what} "${flat}" is not a mail address (name@example.com)`);
  }
  return value;
}

export function language(value: string, what = '--language'): Language {
  const lower = value.toLowerCase();
  if (!(LANGUAGES as readonly string[]).includes(lower)) throw new UsageError(`${what} "${value.slice(0, 20)}" is not a language amz-token writes mail in: ${LANGUAGES.join(', ')}`);
  return lower as Language;
}

/** config.json's `contact` of a profile or an invitation (`where` names it). */
export function parseContact(value: unknown, where: string, file: string): Contact {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, `${where} must be an object`);
  const v = value as Record<string, unknown>;
  return {
    email: configRule(() => emailAddress(text(v, 'email', where, file), `${where}.email`), file),
    language: configRule(() => language(text(v, 'language', where, file), `${where}.language`), file),
  };
}

/** config.json's `reminded` of a profile. */
export function parseReminder(value: unknown, where: string, file: string): ReminderRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, `${where} must be an object`);
  const v = value as Record<string, unknown>;
  const when = (key: string) => {
    const t = text(v, key, where, file);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(t) || Number.isNaN(Date.parse(t))) throw new ConfigError(file, `${where}.${key} must be an ISO 8601 date-time`);
    return t;
  };
  const invitation = text(v, 'invitation', where, file);
  if (!/^[A-Za-z0-9_-]{16}$/.test(invitation)) throw new ConfigError(file, `${where}.invitation must be an invitation id`);
  return { sentAt: when('sentAt'), to: configRule(() => emailAddress(text(v, 'to', where, file), `${where}.to`), file), invitation, expiresAt: when('expiresAt') };
}

/** What a profile holds besides its authorization: how to reach its seller, and the last reminder. */
export interface ProfileContactFields {
  contact?: Contact;
  reminded?: ReminderRecord;
}

/** The optional contact fields of a profile entry, parsed: what config.ts adds to the profile. */
export function profileContactFields(value: Record<string, unknown>, where: string, file: string): ProfileContactFields {
  return {
    ...(value.contact !== undefined ? { contact: parseContact(value.contact, `${where}.contact`, file) } : {}),
    ...(value.reminded !== undefined ? { reminded: parseReminder(value.reminded, `${where}.reminded`, file) } : {}),
  };
}

function text(v: Record<string, unknown>, key: string, where: string, file: string): string {
  if (typeof v[key] !== 'string' || v[key] === '') throw new ConfigError(file, `${where}.${key} must be a non-empty string`);
  return v[key] as string;
}

