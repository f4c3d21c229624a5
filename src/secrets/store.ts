// Where secrets live: opening the store a run uses (AMZ_TOKEN_STORE, else
// config.json's "store", else the keychain) or one named explicitly
// (`store migrate --to`, `config set store`, which checks it first). Each kind
// loads only when chosen.

import { loadConfig, configFile, type Config } from '../config/config.js';
import { chooseStore, parseStoreSpec, sameStore, storeName, type StoreChoice, type StoreSpec } from '../config/store-setting.js';
import { StoreUnavailableError, UsageError } from '../errors.js';
import { configAccounts } from './accounts.js';
import type { SecretStore, StoreOptions } from './secret-store.js';

export type { SecretStore, StoreOptions } from './secret-store.js';

/** The store this run uses, and where that choice came from. */
export async function storeChoice(options: Pick<StoreOptions, 'env' | 'configDir'>): Promise<StoreChoice> {
  // AMZ_TOKEN_STORE decides alone: no need to read config.json for it.
  const configured = options.env.AMZ_TOKEN_STORE ? undefined : (await loadConfig(options.configDir)).store;
  return chooseStore(options.env, configured === undefined ? undefined : parseStoreSpec(configured));
}

/** Opens the store chosen by AMZ_TOKEN_STORE, config.json or the default. */
export async function openChosenStore(options: StoreOptions): Promise<SecretStore> {
  const choice = await storeChoice(options);
  return openSecretStore(choice.spec, options);
}

/** Opens one store. */
export async function openSecretStore(spec: StoreSpec, options: StoreOptions): Promise<SecretStore> {
  switch (spec.kind) {
    case 'keychain': {
      const { openKeychain, DEFAULT_KEYCHAIN_TIMEOUT_MS } = await import('./keychain.js');
      return openKeychain({ env: options.env, prompt: options.prompt, timeoutMs: storeTimeout(options.env, DEFAULT_KEYCHAIN_TIMEOUT_MS) });
    }
    case 'file':
      return (await import('./file-store.js')).openFileStore(options);
    case 'helper': {
      const { credentialHelperStore, DEFAULT_HELPER_TIMEOUT_MS } = await import('./credential-helper.js');
      return credentialHelperStore({ helper: spec.helper, env: options.env, prompt: options.prompt, timeoutMs: storeTimeout(options.env, DEFAULT_HELPER_TIMEOUT_MS) });
    }
  }
}

/** How a message names the source of the choice: `AMZ_TOKEN_STORE=file`, `"store": "file" in …/config.json`. */
export function originOf(choice: StoreChoice, configDir: string): string {
  const name = storeName(choice.spec);
  if (choice.source === 'env') return `AMZ_TOKEN_STORE=${name}`;
  if (choice.source === 'config') return `"store": "${name}" in ${configFile(configDir)}`;
  return `store ${name} (the default)`;
}

/** AMZ_TOKEN_STORE_TIMEOUT_MS: per call, for the keychain and credential helpers alike. */
function storeTimeout(env: Readonly<Record<string, string | undefined>>, fallback: number): number {
  const text = env.AMZ_TOKEN_STORE_TIMEOUT_MS;
  if (text === undefined || text === '') return fallback;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) throw new UsageError(`AMZ_TOKEN_STORE_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000, got "${text.slice(0, 20)}"`);
  return ms;
}

/**
 * What the operator is told where a store is chosen (`config set store`, `store migrate --to`) and
 * in `store show`: not on every run, where cron would mail it every day.
 */
export function storeWarning(spec: StoreSpec, store: SecretStore): string | undefined {
  if (spec.kind !== 'file') return undefined;
  return `warning: the file store keeps secrets in ${store.description} in plain text, protected only by file permissions (600): anyone who can read your files (root, a backup) can read them`;
}

/**
 * For `config set store`: opens `spec` and proves it answers (its entry list), else throws why not
 * (exit 8, or 2 for a secrets file inside the config folder). A switch that would leave this
 * config's secrets behind in the store in use is refused: moving them is `store migrate`'s job.
 */
export async function checkNewStore(spec: StoreSpec, options: StoreOptions, config: Config): Promise<SecretStore> {
  const name = storeName(spec);
  const store = await openSecretStore(spec, options);
  const there = new Set(await store.list());
  const missing = configAccounts(config).expected.filter((account) => !there.has(account));
  const current = await storeChoice(options);
  if (missing.length === 0 || sameStore(current.spec, spec)) return store;
  let held: string[];
  try {
    const inUse = new Set(await (await openSecretStore(current.spec, options)).list());
    held = missing.filter((account) => inUse.has(account));
  } catch (error) {
    // A store that cannot be opened holds nothing amz-token could reach: nothing is left behind.
    if (error instanceof StoreUnavailableError) return store;
    throw error;
  }
  if (held.length > 0) {
    const inUse = storeName(current.spec);
    const where = { env: `AMZ_TOKEN_STORE=${inUse}`, config: `"store": "${inUse}"`, default: `${inUse}, the default` }[current.source];
    throw new UsageError(
      `${held.length} secret(s) of this config are in the store in use (${where}), not in ${name}: with "store": "${name}" amz-token would no longer find them`,
      `move them and record the store in one step: amz-token store migrate --to ${name}`,
    );
  }
  return store;
}
