// The shared access-token cache: one-hour access tokens (a profile's, an app's grantless ones) in
// user-private files under $XDG_RUNTIME_DIR/amz-token/, which every amz-token process of the user
// shares (the CLI, its fast path in bin/amz-token.js, the library). Refresh tokens and client
// secrets never come here: they stay in the secret store.
//
// Why files: reading the Secret Service costs more than Node's own start (docs/speed.md), and
// an unlocked Secret Service gives every process of the user every secret anyway. The runtime
// folder is a per-user tmpfs, emptied at logout, never on disk. Without XDG_RUNTIME_DIR (macOS,
// some containers), or with AMZ_TOKEN_CACHE=store, access tokens stay in the secret store as before.
//
// This module owns the modes and the keys; token-files.ts reads and writes the files.
// Synchronous node:fs and no node:crypto on purpose: bin/amz-token.js reads this cache before
// any bundle loads (src/token-fast.ts), and node:crypto alone costs a few ms of start-up.

import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { AppRecord, Config, ProfileRecord } from '../config/config.js';
import { UsageError } from '../errors.js';
import { dropGroups, folderState, type CachedToken, type EntryKey } from './token-files.js';

export * from './token-files.js';

type Env = Readonly<Record<string, string | undefined>>;

/** `token` and the library hand out a cached token while more than this remains (the CLI's rule since the start). */
export const REUSE_MARGIN_MS = 5 * 60 * 1000;

export const CACHE_ENV = 'AMZ_TOKEN_CACHE';

/**
 * Where access tokens are cached: 'runtime' (files in $XDG_RUNTIME_DIR/amz-token) or 'store'
 * (the secret store, as before). AMZ_TOKEN_CACHE=store chooses the store; without
 * XDG_RUNTIME_DIR there is no runtime folder, so the store too.
 */
export function cacheMode(env: Env): 'runtime' | 'store' {
  const chosen = env[CACHE_ENV]?.trim();
  if (chosen && chosen !== 'runtime' && chosen !== 'store') {
    throw new UsageError(`${CACHE_ENV} must be runtime or store, got "${chosen.slice(0, 20)}"`, `${CACHE_ENV}=store keeps access tokens in the secret store`);
  }
  if (chosen === 'store') return 'store';
  return runtimeBase(env) ? 'runtime' : 'store';
}

/** $XDG_RUNTIME_DIR when it is an absolute path (the spec ignores anything else). */
function runtimeBase(env: Env): string | undefined {
  const base = env.XDG_RUNTIME_DIR;
  return base && base.startsWith('/') ? base : undefined;
}

/** The cache folder's path (whether or not it exists yet); undefined when access tokens go to the store. */
export function runtimeCacheDir(env: Env): string | undefined {
  return cacheMode(env) === 'runtime' ? join(runtimeBase(env)!, 'amz-token') : undefined;
}


/**
 * The key of a profile's access token: the config folder's real path (a link to it is the same
 * folder; a copy is another), the profile, and what tells its refresh token apart without reading
 * it: the store it lives in, the LWA endpoint, and the profile's record (app, client id, seller,
 * dates), which every request, renew and import rewrites. So another folder, another profile or a
 * renewed authorization never finds this entry; renew and remove also delete it (dropProfileTokens).
 */
export function profileEntryKey(env: Env, realConfigDir: string, config: Config, profile: string, record: ProfileRecord, lwaUrl: string): EntryKey {
  const app: AppRecord | undefined = config.apps[record.app];
  const identity = JSON.stringify([
    'profile', realConfigDir, profile, storeIdentity(env, config), lwaUrl,
    record.app, app?.clientId ?? '', record.region, record.marketplace, record.role, record.sellingPartnerId, record.authorizedAt ?? '', record.expiresAt,
  ]);
  return entryKey(profileGroup(realConfigDir, profile), identity);
}

/** The key of an app's grantless token for a scope: as a profile's, with the client secret's dates (set-secret and rotation change them). */
export function grantlessEntryKey(env: Env, realConfigDir: string, config: Config, appName: string, scope: string, lwaUrl: string): EntryKey {
  const app = config.apps[appName];
  const identity = JSON.stringify([
    'grantless', realConfigDir, appName, scope, storeIdentity(env, config), lwaUrl,
    app?.clientId ?? '', app?.clientSecretCreatedAt ?? '', app?.clientSecretExpiresAt ?? '',
  ]);
  return entryKey(appGroup(realConfigDir, appName), identity);
}

function profileGroup(realConfigDir: string, profile: string): string {
  return `p-${hash(`${realConfigDir}\0${profile}`)}`;
}

function appGroup(realConfigDir: string, app: string): string {
  return `g-${hash(`${realConfigDir}\0${app}`)}`;
}

function entryKey(group: string, identity: string): EntryKey {
  return { file: `${group}-${hash(identity)}.json`, group, identity };
}

/** Which store holds the refresh token: AMZ_TOKEN_STORE, else config.json's, else the keychain; for the file store, which file. */
function storeIdentity(env: Env, config: Config): string {
  const spec = env.AMZ_TOKEN_STORE || config.store || 'keychain';
  return spec === 'file' ? `file:${env.AMZ_TOKEN_SECRETS_FILE ?? ''}:${env.XDG_DATA_HOME ?? ''}:${env.HOME ?? ''}` : spec;
}

/** The config folder's real path (links resolved); the path itself where it does not exist yet. */
export function realConfigDir(configDir: string): string {
  try {
    return realpathSync(configDir);
  } catch {
    return configDir;
  }
}

/**
 * 64 bits of FNV-1a (two 32-bit lanes), in hex: names files, spreads entries. Not a security
 * boundary (the folder is the user's own, and the identity is compared in full): node:crypto's
 * SHA-256 would cost the fast path a few ms of loading for nothing more.
 */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Whether the entry has more than `marginMs` left at `now`. */
export function fresh(token: CachedToken | undefined, now: Date, marginMs: number): token is CachedToken {
  return token !== undefined && token.expiresAt.getTime() - now.getTime() > marginMs;
}

/**
 * Deletes every cached entry of these profiles and apps' grantless tokens in this config folder,
 * whatever their identity: renew, import, remove, app set-secret, rotation and app remove call it
 * (through the store accounts they make stale). Does nothing where tokens are cached in the store.
 */
export function dropEntries(env: Env, configDir: string, stale: { profiles?: readonly string[]; apps?: readonly string[] }): void {
  const dir = runtimeCacheDir(env);
  if (!dir || folderState(dir) !== 'private') return;
  const real = realConfigDir(configDir);
  const groups = [...(stale.profiles ?? []).map((p) => profileGroup(real, p)), ...(stale.apps ?? []).map((a) => appGroup(real, a))];
  dropGroups(dir, groups);
}

/** The store accounts that a change makes stale, read as the runtime entries they stand for (profile/X/access-token, app/X/grantless-token/S). */
export function staleFromAccounts(accountNames: readonly string[]): { profiles: string[]; apps: string[] } {
  const profiles: string[] = [];
  const apps: string[] = [];
  for (const account of accountNames) {
    const profile = /^profile\/(.+)\/(?:access|refresh)-token$/.exec(account)?.[1];
    if (profile) profiles.push(profile);
    const app = /^app\/(.+)\/(?:grantless-token\/[^/]+|client-secret)$/.exec(account)?.[1];
    if (app) apps.push(app);
  }
  return { profiles, apps };
}
