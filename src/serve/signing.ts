// The one place where serve's tokens are made and checked: invitation links,
// the OAuth state, and the Login URI cookie. Each is a small JSON payload with
// its expiry inside, signed with HMAC-SHA256 under a purpose of its own (a state
// is never accepted as a cookie), and compared in constant time.
// The key lives in the secret store, so operators' machines and the server that
// share a (team) store sign and check alike.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../secrets/store.js';
import { accounts } from '../secrets/accounts.js';

export type Purpose = 'invitation' | 'state' | 'cookie';

/** What a token says; `e`: expiry in seconds since the epoch. */
export interface Claims {
  /** Invitation id. */
  i?: string;
  /** Profile (a renewal started in Manage Your Apps, without an invitation). */
  p?: string;
  /** A nonce, so that two states of one invitation differ; a state is used once (server.ts). */
  n?: string;
  /** Cookie: the browser's random value, known only to that browser (HttpOnly) and serve. */
  b?: string;
  /** State: the hash of the cookie's `b`, binding the state to the browser that started it. */
  h?: string;
  e: number;
}

export type Checked = { ok: true; claims: Claims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const MAX_TOKEN_LENGTH = 1024;

export interface Signer {
  sign(purpose: Purpose, claims: Claims): string;
  check(purpose: Purpose, token: string | undefined, now: Date): Checked;
}

export function signer(key: Buffer): Signer {
  if (key.length < 32) throw new RangeError('the signing key must hold at least 32 bytes');
  const mac = (purpose: Purpose, payload: string) => createHmac('sha256', key).update(`amz-token/${purpose}/${payload}`).digest();
  return {
    sign(purpose, claims) {
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
      return `${payload}.${mac(purpose, payload).toString('base64url')}`;
    },
    check(purpose, token, now) {
      if (token === undefined || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { ok: false, reason: 'malformed' };
      const [, payload, signature] = match as unknown as [string, string, string];
      // Compared as text, not as decoded bytes: base64 ignores the last character's low bits, so
      // decoding would let a changed link ("...A" for "...B") through.
      const given = Buffer.from(signature, 'latin1');
      const expected = Buffer.from(mac(purpose, payload).toString('base64url'), 'latin1');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
      if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    },
  };
}

function isClaims(value: unknown): value is Claims {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isInteger(v.e) && ['i', 'p', 'n', 'b', 'h'].every((key) => v[key] === undefined || typeof v[key] === 'string');
}

/** The hash a state holds of its browser's cookie value. */
export function browserHash(b: string): string {
  return createHash('sha256').update(`amz-token/browser/${b}`).digest('base64url');
}

/** Whether the cookie value `b` is the one state hash `h` was made from (constant time). */
export function sameBrowser(b: string | undefined, h: string | undefined): boolean {
  if (b === undefined || h === undefined) return false;
  const given = Buffer.from(browserHash(b), 'latin1');
  const expected = Buffer.from(h, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Seconds since the epoch, `seconds` from now: a token's expiry. */
export function expiryIn(now: Date, seconds: number): number {
  return Math.floor(now.getTime() / 1000) + seconds;
}

/**
 * The key from the secret store, made on first use. Two first uses at once may both write:
 * reading back after writing makes both continue with whichever key the store kept.
 */
export async function signingKey(store: SecretStore, randomBytes: (n: number) => Buffer): Promise<Buffer> {
  const stored = await store.get(accounts.servingKey());
  if (stored) return Buffer.from(stored, 'base64url');
  await store.set(accounts.servingKey(), randomBytes(32).toString('base64url'));
  const kept = await store.get(accounts.servingKey());
  if (!kept) throw new Error('the secret store did not keep the invitation signing key');
  return Buffer.from(kept, 'base64url');
}
