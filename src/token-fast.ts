// `amz-token token` with a token in the shared runtime cache, decided before any bundle loads:
// bin/amz-token.js calls fastToken() first, and prints what it returns. It decides exactly as
// the full path (src/commands/token.ts) would, with the same code for every rule (profile names,
// config.json's validation, the LWA and timeout overrides, the cache key, the validity margin,
// the expiry notice); anything it is not sure of (another flag, a warning the full path would
// print, no entry) returns undefined, and the full CLI runs as always. Built on its own into
// dist/fast-path.cjs (scripts/build.mjs), with exec's fast path (src/exec-fast.ts), which shares
// cachedProfileToken() below.

import { homedir } from 'node:os';
import { lstatSync, readFileSync } from 'node:fs';
import { configDirFrom } from './deps.js';
import { configFile, parseConfig } from './config/config.js';
import { parseStoreSpec } from './config/store-setting.js';
import { lwaOptions } from './amazon/endpoints.js';
import { DEFAULT_WARN_DAYS, expiryState } from './expiry.js';
import { looksLikeSecret, profileName } from './validate.js';
import { cacheMode, folderState, fresh, profileEntryKey, readEntry, realConfigDir, REUSE_MARGIN_MS, runtimeCacheDir, type CachedToken } from './secrets/token-cache.js';
import type { ProfileRecord } from './config/config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The global switches that change nothing in a cached token's output but --json's form (--quiet only silences the notice, which falls through). */
export const SWITCHES = new Set(['--json', '-q', '--quiet', '--no-color', '--no-input']);

/** What `token` would print on stdout (it exits 0, with nothing on stderr), or undefined: run the full CLI. */
export function fastToken(argv: readonly string[], env: Env, now = new Date()): string | undefined {
  const parsed = parseArgv(argv);
  if (!parsed) return undefined;
  try {
    return cachedOutput(parsed, env, now);
  } catch {
    // Whatever the full path would say about it (a bad name, a broken config.json), it says better.
    return undefined;
  }
}

interface FastArgs {
  profile?: string;
  json: boolean;
}

/** `token` and the global switches and --profile, each at most once, in any order; nothing else. */
function parseArgv(argv: readonly string[]): FastArgs | undefined {
  const args: FastArgs = { json: false };
  const seen = new Set<string>();
  let command = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (looksLikeSecret(arg)) return undefined; // the full path refuses it, with exit 2
    let name = arg;
    let value: string | undefined;
    if (arg === 'token' && !command) command = true;
    else if (SWITCHES.has(arg)) args.json ||= arg === '--json';
    else if (arg === '--profile') value = argv[++i];
    else if (arg.startsWith('--profile=')) [name, value] = ['--profile', arg.slice('--profile='.length)];
    else return undefined;
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (name === '--profile') {
      if (value === undefined || value.startsWith('-')) return undefined;
      args.profile = value;
    }
  }
  return command ? args : undefined;
}

function cachedOutput(args: FastArgs, env: Env, now: Date): string | undefined {
  const found = cachedProfileToken(args.profile, env, now, REUSE_MARGIN_MS);
  if (!found) return undefined;
  const { profile, token } = found;
  return args.json ? JSON.stringify({ accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString(), profile }, null, 2) + '\n' : token.accessToken + '\n';
}

/**
 * The profile's token from the runtime cache with more than `marginMs` left, where the full path
 * (src/secrets/access-token.ts, after src/cli.ts's and the command's checks) would hand out the
 * same one and print nothing on stderr; else undefined. May throw where the full path fails.
 */
export function cachedProfileToken(profileFlag: string | undefined, env: Env, now: Date, marginMs: number): { profile: string; record: ProfileRecord; token: CachedToken } | undefined {
  // As the full path's order of checks: anything that would make it ask LWA, warn or fail falls through.
  if (env.AMZ_TOKEN_REFRESH_TOKEN?.trim()) return undefined;
  if (env.AMZ_TOKEN_STORE && !parseStoreSpec(env.AMZ_TOKEN_STORE)) return undefined;
  const profile = profileName(profileFlag ?? (env.AMZ_TOKEN_PROFILE || ''));
  if (cacheMode(env) !== 'runtime') return undefined;
  const dir = runtimeCacheDir(env)!;
  if (folderState(dir) !== 'private') return undefined;

  const configDir = configDirFrom(env, homedir);
  const file = configFile(configDir);
  const info = lstatSync(file);
  // loadConfig warns of (and tightens) a loose mode, refuses links and folders: all for the full path.
  if (!info.isFile() || (info.mode & 0o077) !== 0) return undefined;
  const config = parseConfig(readFileSync(file, 'utf8'), file);
  const record = config.profiles[profile];
  if (!record) return undefined;
  const lwaUrl = lwaOptions(env).url;

  const token = readEntry(dir, profileEntryKey(env, realConfigDir(configDir), config, profile, record, lwaUrl));
  if (!fresh(token, now, marginMs)) return undefined;
  // The full path prints a notice on stderr near or past the recorded expiry: leave those runs to it.
  if (expiryState(new Date(record.expiresAt), now, DEFAULT_WARN_DAYS) !== 'ok') return undefined;
  return { profile, record, token };
}
