// Where secrets live: opening the store a run uses (AMZ_TOKEN_STORE, else
// config.json's "store", else the keychain) or one named explicitly
// (`store migrate --to`). Each kind loads only when chosen.

import { loadConfig, configFile } from '../config/config.js';
import { chooseStore, parseStoreSpec, storeName, type StoreChoice, type StoreSpec } from '../config/store-setting.js';
import { UsageError } from '../errors.js';
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
  return openSecretStore(choice.spec, options, originOf(choice, options.configDir));
}

/** Opens one store; `origin` says in warnings why it is in use (e.g. "AMZ_TOKEN_STORE=file"). */
export async function openSecretStore(spec: StoreSpec, options: StoreOptions, origin = storeName(spec)): Promise<SecretStore> {
  switch (spec.kind) {
    case 'keychain': {
      const { openKeychain, DEFAULT_KEYCHAIN_TIMEOUT_MS } = await import('./keychain.js');
      return openKeychain({ env: options.env, prompt: options.prompt, timeoutMs: storeTimeout(options.env, DEFAULT_KEYCHAIN_TIMEOUT_MS) });
    }
    case 'file':
      return (await import('./file-store.js')).openFileStore(options, origin);
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
