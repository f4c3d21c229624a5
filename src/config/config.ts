// The metadata file: apps and profiles, never a secret. Loads and validates
// config.json and applies changes under a lock with an atomic rename, so two
// concurrent commands cannot lose each other's writes or leave half a file.

// node:fs, not node:fs/promises: Node loads node:fs at boot anyway, the promises module costs `status`
// a few ms. Writing (atomic-file.js, which uses it) is loaded only by the commands that write.
import { readFileSync, lstatSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, StoreUnavailableError, AmzTokenError, configRule } from '../errors.js';
import { isRegion, type Region } from '../amazon/marketplaces.js';
import * as validate from '../validate.js';
import { printable } from '../terminal-text.js';
import { parseStoreSpec, STORE_FORMS } from './store-setting.js';
import { parseInvitations, type InvitationRecord } from './invitations.js';
import { profileContactFields, type ProfileContactFields } from './contact.js';
import { parseMailSettings, type MailSettings } from '../mail/settings.js';
import { parseIdentity, type ProfileIdentity } from './identity.js';

export const CONFIG_VERSION = 1;

export interface AppRecord {
  appId: string;
  clientId: string;
  redirectUri: string;
  draft: boolean;
  /** ISO 8601; the LWA client secret expires 180 days later, unless Amazon stated its expiry (below). */
  clientSecretCreatedAt: string;
  /** ISO 8601: the expiry Amazon stated for the current secret (a rotation's newClientSecretExpiryTime, or a secret-expiry notification). */
  clientSecretExpiresAt?: string;
  /** ISO 8601: until when the previous secret still works after a rotation (oldClientSecretExpiryTime). */
  oldClientSecretExpiresAt?: string;
  /** The SQS queue registered for the app's client-secret notifications (app set --secret-queue). */
  secretQueueUrl?: string;
}

export type Role = 'seller' | 'vendor';

export interface ProfileRecord extends ProfileContactFields {
  app: string;
  region: Region;
  marketplace: string;
  role: Role;
  sellingPartnerId: string;
  authorizedAt?: string; // ISO 8601; absent when an import only knew the expiry date
  expiresAt: string;
  /** Who granted the token, as Amazon named them at the last authorization (identity.ts). */
  identity?: ProfileIdentity;
}

export interface Config extends MailSettings {
  version: typeof CONFIG_VERSION;
  /** The team's secret store (`keychain`, `file`, `helper:<name>`); absent means the keychain. See store-setting.ts. */
  store?: string;
  /** Where `amz-token serve` answers (https://HOST/PATH): invitation links start with it. */
  baseUrl?: string;
  apps: Record<string, AppRecord>;
  profiles: Record<string, ProfileRecord>;
  /** Invitation links by id (see invitations.ts); absent until the first `invite`. */
  invitations?: Record<string, InvitationRecord>;
}

export function emptyConfig(): Config {
  return { version: CONFIG_VERSION, apps: {}, profiles: {} };
}

export function configFile(dir: string): string {
  return join(dir, 'config.json');
}

/** Reads config.json; a missing file is an empty config. Never repairs a broken one. */
export async function loadConfig(dir: string, warn: (line: string) => void = () => {}): Promise<Config> {
  const file = configFile(dir);
  let text: string;
  try {
    const info = lstatSync(file);
    if (info.isSymbolicLink()) throw new ConfigError(file, 'is a symbolic link; amz-token only reads a regular file it owns');
    if (info.isDirectory()) throw new ConfigError(file, 'is a directory, not a file');
    if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) {
      warn(`warning: ${file} was readable by others (mode ${(info.mode & 0o777).toString(8)}); set it to 600`);
      chmodSync(file, 0o600);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof AmzTokenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyConfig();
    throw new ConfigError(file, `cannot be read (${code ?? (error as Error).message})`);
  }
  return parseConfig(text, file);
}

/** Validates config text; every problem names the file and the field. */
export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(raw)) throw new ConfigError(file, 'must hold a JSON object');
  if (raw.version !== CONFIG_VERSION) {
    throw new ConfigError(
      file,
      typeof raw.version === 'number' && raw.version > CONFIG_VERSION
        ? `has version ${raw.version}, newer than this amz-token understands (${CONFIG_VERSION}); upgrade amz-token`
        : `has no valid "version" (expected ${CONFIG_VERSION})`,
    );
  }
  const apps = section(raw, 'apps', file);
  const profiles = section(raw, 'profiles', file);
  const config: Config = { version: CONFIG_VERSION, ...parseStore(raw, file), apps: {}, profiles: {} };
  // The file may be shared and committed by a team: names and ids obey the rules of
  // the flags that set them, so nothing in it can smuggle escape codes onto a terminal.
  for (const [name, value] of Object.entries(apps)) {
    const where = `apps.${entryName(name)}`;
    configRule(() => validate.appName(name, `the name of ${where}`), file);
    config.apps[name] = parseApp(value, where, file);
  }
  for (const [name, value] of Object.entries(profiles)) {
    const where = `profiles.${entryName(name)}`;
    configRule(() => validate.profileName(name, `the name of ${where}`), file);
    const profile = parseProfile(value, where, file);
    if (!config.apps[profile.app]) throw new ConfigError(file, `${where}.app names the app "${profile.app}", which the file does not define`);
    config.profiles[name] = profile;
  }
  if (raw.baseUrl !== undefined) {
    if (typeof raw.baseUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(raw.baseUrl)) throw new ConfigError(file, '"baseUrl" must be an https URL, e.g. "https://auth.example.com/amz"');
    config.baseUrl = raw.baseUrl;
  }
  if (raw.invitations !== undefined) config.invitations = parseInvitations(raw.invitations, file);
  Object.assign(config, parseMailSettings(raw, file));
  return config;
}


/** An entry's name as it may appear in a message: control characters shown as '?', long names cut. */
function entryName(name: string): string {
  const flat = printable(name);
  return flat.length > 64 ? `${flat.slice(0, 61)}...` : flat;
}

function parseStore(raw: Record<string, unknown>, file: string): Pick<Config, 'store'> {
  if (raw.store === undefined) return {};
  if (typeof raw.store !== 'string' || !parseStoreSpec(raw.store)) {
    throw new ConfigError(file, `"store" must be ${STORE_FORMS}, got ${JSON.stringify(raw.store).slice(0, 60)}`);
  }
  return { store: raw.store };
}

function parseApp(value: unknown, where: string, file: string): AppRecord {
  if (!isObject(value)) throw new ConfigError(file, `${where} must be an object`);
  const app: AppRecord = {
    appId: configRule(() => validate.applicationId(str(value, 'appId', where, file), `${where}.appId`), file),
    clientId: configRule(() => validate.clientId(str(value, 'clientId', where, file), `${where}.clientId`), file),
    redirectUri: configRule(() => validate.redirectUri(str(value, 'redirectUri', where, file), `${where}.redirectUri`), file),
    draft: bool(value, 'draft', where, file),
    clientSecretCreatedAt: date(value, 'clientSecretCreatedAt', where, file),
  };
  for (const key of ['clientSecretExpiresAt', 'oldClientSecretExpiresAt'] as const) {
    if (value[key] !== undefined) app[key] = date(value, key, where, file);
  }
  if (value.secretQueueUrl !== undefined) {
    app.secretQueueUrl = configRule(() => validate.queueUrl(str(value, 'secretQueueUrl', where, file), `${where}.secretQueueUrl`), file);
  }
  return app;
}

function parseProfile(value: unknown, where: string, file: string): ProfileRecord {
  if (!isObject(value)) throw new ConfigError(file, `${where} must be an object`);
  const region = str(value, 'region', where, file);
  if (!isRegion(region)) throw new ConfigError(file, `${where}.region must be na, eu or fe`);
  const role = str(value, 'role', where, file);
  if (role !== 'seller' && role !== 'vendor') throw new ConfigError(file, `${where}.role must be seller or vendor`);
  const profile: ProfileRecord = {
    app: configRule(() => validate.appName(str(value, 'app', where, file), `${where}.app`), file),
    region,
    marketplace: configRule(() => validate.marketplace(str(value, 'marketplace', where, file), `${where}.marketplace`).code, file),
    role,
    sellingPartnerId: configRule(() => validate.sellingPartnerId(str(value, 'sellingPartnerId', where, file), `${where}.sellingPartnerId`), file),
    expiresAt: date(value, 'expiresAt', where, file),
  };
  // The flags refuse --region na with a DE marketplace; so does the file, or exec would hand a DE job the NA endpoint.
  configRule(() => validate.regionOfMarketplace(validate.marketplace(profile.marketplace), region, `${where}.region`), file);
  if (value.authorizedAt !== undefined) profile.authorizedAt = date(value, 'authorizedAt', where, file);
  if (value.identity !== undefined) profile.identity = parseIdentity(value.identity, `${where}.identity`, file);
  return Object.assign(profile, profileContactFields(value, where, file));
}

/**
 * Applies a change: lock, re-read, mutate, write atomically. The mutation sees
 * the latest file, so concurrent imports each add their profile.
 */
export async function updateConfig<T>(dir: string, mutate: (config: Config) => T | Promise<T>, options: { lockWaitMs?: number; dryRun?: boolean } = {}): Promise<T> {
  const file = configFile(dir);
  const [{ ensurePrivateDir, withFileLock, writeFileAtomic, probeWrite }, { configText }] = await Promise.all([import('./atomic-file.js'), import('./config-text.js')]);
  try {
    await ensurePrivateDir(dir);
  } catch (error) {
    throw new ConfigError(dir, `cannot create the config folder (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  try {
    return await withFileLock(file, async () => {
      const config = await loadConfig(dir);
      const result = await mutate(config);
      const text = configText(config, file, parseConfig);
      // A dry run takes the lock and writes the new file, but keeps the old one (`store migrate --dry-run`).
      await (options.dryRun ? probeWrite(file, text) : writeFileAtomic(file, text));
      return result;
    }, options.lockWaitMs);
  } catch (error) {
    if (error instanceof AmzTokenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') {
      // The config folder cannot be written now: exit 8, as the README's table says, never "internal error".
      throw new StoreUnavailableError((error as Error).message, 'if no amz-token is running, delete the .lock file');
    }
    throw new StoreUnavailableError(
      `cannot write ${file} (${code ?? (error as Error).message}); the previous file is unchanged`,
      code === 'ENOSPC' ? 'free some disk space and retry' : code === 'EROFS' || code === 'EACCES' ? 'make the config folder writable, or set AMZ_TOKEN_CONFIG_DIR' : undefined,
    );
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function section(raw: Record<string, unknown>, key: string, file: string): Record<string, unknown> {
  const value = raw[key] ?? {};
  if (!isObject(value)) throw new ConfigError(file, `"${key}" must be an object`);
  return value;
}

function str(obj: Record<string, unknown>, key: string, where: string, file: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') throw new ConfigError(file, `${where}.${key} must be a non-empty string`);
  return value;
}

function bool(obj: Record<string, unknown>, key: string, where: string, file: string): boolean {
  const value = obj[key] ?? false;
  if (typeof value !== 'boolean') throw new ConfigError(file, `${where}.${key} must be true or false`);
  return value;
}

function date(obj: Record<string, unknown>, key: string, where: string, file: string): string {
  const value = str(obj, key, where, file);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ConfigError(file, `${where}.${key} must be an ISO 8601 date-time, got ${JSON.stringify(value).slice(0, 40)}`);
  }
  return value;
}
