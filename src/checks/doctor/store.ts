// doctor's check of the secret store: the one this run would use opens and answers within
// a few seconds, with no unlock prompt (a locked keychain is a finding, never a wait), and a
// file store's file is private. Opened here rather than through deps.secretStore, whose
// choice reads config.json with loadConfig, which would tighten a loose mode: doctor changes nothing.

import { lstat } from 'node:fs/promises';
import { AmzTokenError, ExitCode, StoreUnavailableError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import type { Config } from '../../config/config.js';
import { chooseStore, parseStoreSpec, storeName } from '../../config/store-setting.js';
import { openSecretStore, originOf, type SecretStore } from '../../secrets/store.js';
import { secretsFileOf } from '../../secrets/file-store.js';
import { failure, ok, type Finding } from './finding.js';
import { within } from './bounded.js';

/** Long enough for a keyring on a loaded machine, short enough that doctor never seems to hang. */
export const STORE_CHECK_MS = 10_000;

export async function checkStore(deps: Deps, config: Config | undefined, warn: (line: string) => void): Promise<{ store?: SecretStore; findings: Finding[] }> {
  const configured = config?.store === undefined ? undefined : parseStoreSpec(config.store);
  const choice = chooseStore(deps.env, configured);
  const findings: Finding[] = [];
  const name = storeName(choice.spec);
  if (choice.spec.kind === 'file') {
    const file = secretsFileOf(deps.env, deps.dataDir);
    const info = await lstat(file).catch(() => undefined);
    if (info && (info.mode & 0o077) !== 0) {
      // Opening it would set it to 600; doctor only says so.
      return { findings: [failure('store.file-mode', 'store', `the secrets file ${file} is open to others (mode ${(info.mode & 0o777).toString(8)})`, ExitCode.STORE_UNAVAILABLE, `chmod 600 ${file}, and consider every secret in it exposed`)] };
    }
    findings.push(ok('store.file-mode', 'store', info ? `the secrets file ${file} is private to you (mode ${(info.mode & 0o777).toString(8)})` : `the secrets file ${file} does not exist yet`));
  }
  const attempt = (async () => {
    const store = await openSecretStore(choice.spec, { env: deps.env, configDir: deps.configDir, dataDir: deps.dataDir, warn, prompt: false }, originOf(choice, deps.configDir));
    const entries = await store.list();
    return { store, entries };
  })();
  try {
    const { store, entries } = await within(attempt, STORE_CHECK_MS, () => new StoreUnavailableError(`the ${name} store did not answer within ${STORE_CHECK_MS / 1000} s`));
    findings.push(ok('store.opens', 'store', `${store.description} (${name}) opens and answers: ${entries.length} entries of amz-token`));
    return { store, findings };
  } catch (error) {
    const message = error instanceof AmzTokenError ? error.message : `the ${name} store failed: ${(error as Error).message.split('\n')[0]}`;
    const hint = error instanceof AmzTokenError ? error.hint : undefined;
    findings.push(failure('store.opens', 'store', message, error instanceof AmzTokenError ? error.exitCode : ExitCode.STORE_UNAVAILABLE, hint ?? 'amz-token store show'));
    return { findings };
  }
}
