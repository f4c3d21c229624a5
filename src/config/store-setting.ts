// The "store" setting: which secret store a run uses (keychain, file, or a
// docker credential helper) and where that choice came from. Free of I/O, so
// config.json's validation and `store show` can use it without loading a store.

import { UsageError } from '../errors.js';

export type StoreSpec = { kind: 'keychain' } | { kind: 'file' } | { kind: 'helper'; helper: string };

/** Where the store in use was chosen: AMZ_TOKEN_STORE, config.json's "store", or neither. */
export type StoreSource = 'env' | 'config' | 'default';

export interface StoreChoice {
  spec: StoreSpec;
  source: StoreSource;
}

// A helper name becomes part of a command name (docker-credential-<name>) looked up on PATH:
// no slash, no leading dot or dash, so it can never name a path or an option.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const STORE_FORMS = 'keychain, file or helper:<name> (runs docker-credential-<name>)';

/** Parses `keychain`, `file` or `helper:<name>`; undefined for anything else. */
export function parseStoreSpec(text: string): StoreSpec | undefined {
  if (text === 'keychain' || text === 'file') return { kind: text };
  const helper = /^helper:(.*)$/.exec(text)?.[1];
  return helper !== undefined && HELPER_NAME.test(helper) ? { kind: 'helper', helper } : undefined;
}

/** The setting's text, as written in config.json and AMZ_TOKEN_STORE. */
export function storeName(spec: StoreSpec): string {
  return spec.kind === 'helper' ? `helper:${spec.helper}` : spec.kind;
}

export function sameStore(a: StoreSpec, b: StoreSpec): boolean {
  return storeName(a) === storeName(b);
}

/** `--to` and AMZ_TOKEN_STORE: a bad value is a usage error naming where it came from. */
export function storeSpecOf(text: string, where: string): StoreSpec {
  const spec = parseStoreSpec(text);
  if (!spec) throw new UsageError(`${where} must be ${STORE_FORMS}, got "${text.slice(0, 80)}"`);
  return spec;
}

/**
 * AMZ_TOKEN_STORE, else config.json's "store" (what a team commits, so a teammate
 * who pulls it uses the team's store), else the keychain.
 */
export function chooseStore(env: Readonly<Record<string, string | undefined>>, configStore: StoreSpec | undefined): StoreChoice {
  const fromEnv = env.AMZ_TOKEN_STORE;
  if (fromEnv) return { spec: storeSpecOf(fromEnv, 'AMZ_TOKEN_STORE'), source: 'env' };
  if (configStore) return { spec: configStore, source: 'config' };
  return { spec: { kind: 'keychain' }, source: 'default' };
}
