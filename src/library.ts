// amz-token as a library for Node services (`require('amz-token')`, `import ... from 'amz-token'`):
// a profile's access token from memory, then the shared runtime cache, then LWA, with the CLI's
// rules, the CLI's config folder and store, and its errors (each with the CLI's exit code).
// Built into dist/library.cjs; dist/library.mjs re-exports it, so an app that loads both forms
// still shares one memory cache. The published types are types/library.d.ts.

import { homedir } from 'node:os';
import { AmzTokenError, ExitCode } from './errors.js';
import { configDirFrom, dataDirFrom, type Deps } from './deps.js';
import { loadConfig } from './config/config.js';
import { profileName } from './validate.js';
import { REUSE_MARGIN_MS } from './secrets/token-cache.js';

export { AmzTokenError, ExitCode };

type Env = Readonly<Record<string, string | undefined>>;

export interface AccessTokenOptions {
  /** The config folder (default as the CLI: AMZ_TOKEN_CONFIG_DIR, else $XDG_CONFIG_HOME/amz-token, else ~/.config/amz-token). */
  configDir?: string;
  /** Hand out a token only while more than this remains (default 5 minutes, as `amz-token token`). */
  minRemainingMs?: number;
  /** Ask LWA whatever the caches hold (after the seller revoked the authorization, say), as `token --no-cache`. */
  forceRefresh?: boolean;
  /** The environment to read the CLI's variables from (default process.env). */
  env?: Env;
  /** Where warnings go (a token that could not be cached); default process.emitWarning. */
  warn?: (message: string) => void;
}

export interface TokenProvider {
  /** A valid access token (Atza|...): what @sp-api-sdk clients call before each request. */
  getAccessToken(): Promise<string>;
}

interface Held {
  accessToken: string;
  expiresAt: Date;
}

/** This process's copies, by config folder and profile: a cached call costs a map lookup. */
const memory = new Map<string, Held>();
/** Refreshes under way, by the same key: concurrent calls for one profile share one. */
const pending = new Map<string, Promise<Held>>();

/** A valid access token for `profile`; throws an AmzTokenError whose exitCode means what the CLI's does. */
export async function accessToken(profile: string, options: AccessTokenOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  profileName(profile, 'profile');
  const configDir = options.configDir ?? configDirFrom(env, homedir);
  const marginMs = options.minRemainingMs ?? REUSE_MARGIN_MS;
  const key = `${configDir}\0${profile}`;
  const held = memory.get(key);
  if (!options.forceRefresh && held && held.expiresAt.getTime() - Date.now() > marginMs) return held.accessToken;

  let refresh = pending.get(key);
  if (!refresh) {
    refresh = fetchToken(profile, configDir, env, marginMs, options).finally(() => pending.delete(key));
    pending.set(key, refresh);
  }
  const token = await refresh;
  memory.set(key, token);
  return token.accessToken;
}

/** An object with getAccessToken(), for @sp-api-sdk clients' `auth` and other SDKs' token hooks. */
export function tokenProvider(profile: string, options: Omit<AccessTokenOptions, 'forceRefresh'> = {}): TokenProvider {
  profileName(profile, 'profile');
  return { getAccessToken: () => accessToken(profile, options) };
}

/** The shared cache, else LWA: the CLI's own code (src/secrets/access-token.ts). */
async function fetchToken(profile: string, configDir: string, env: Env, marginMs: number, options: AccessTokenOptions): Promise<Held> {
  const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'AmzTokenWarning'));
  const deps = libraryDeps(env, configDir);
  const config = await loadConfig(configDir, warn);
  const [{ cachedAccessToken }, { lwaOptions }] = await Promise.all([import('./secrets/access-token.js'), import('./amazon/endpoints.js')]);
  return cachedAccessToken(deps, config, profile, { lwa: lwaOptions(env), warn, minRemainingMs: marginMs, bypassCache: options.forceRefresh === true });
}

/** What the token code needs of Deps: no terminal, no prompt (a service has nobody to ask), no child process. */
function libraryDeps(env: Env, configDir: string): Deps {
  const unavailable = (what: string) => () => {
    throw new AmzTokenError(`the amz-token library has no ${what}`, ExitCode.INTERNAL);
  };
  let store: ReturnType<Deps['secretStore']> | undefined;
  const dataDir = () => dataDirFrom(env, homedir);
  return {
    env,
    now: () => new Date(),
    randomBytes: (size) => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(size))),
    get stdin(): NodeJS.ReadableStream {
      return unavailable('stdin')();
    },
    // Getters: a library must not make process.stdout (node:tty or node:net) for a service that never writes to it.
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    configDir,
    get dataDir() {
      return dataDir();
    },
    secretStore: () =>
      (store ??= import('./secrets/store.js').then(({ openChosenStore }) =>
        openChosenStore({ env, configDir, dataDir: dataDir(), warn: (line) => process.emitWarning(line, 'AmzTokenWarning'), prompt: false }),
      )),
    openBrowser: unavailable('browser'),
    onSignal: () => () => {},
    secretQueue: unavailable('secret queue'),
    startJob: unavailable('job runner'),
  };
}
