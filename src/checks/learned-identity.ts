// What `status --check --deep` learns about a profile's seller (store name and marketplaces,
// from its current token) is recorded on a profile that has no identity yet, so that serve
// and renew can check the next renewal against it without asking Amazon about the old token.
// Best effort: a config folder that cannot be written (a read-only CI checkout) costs a warning.

import type { Deps } from '../deps.js';
import { updateConfig } from '../config/config.js';
import { cleanStoreName } from '../amazon/identity.js';
import type { LiveCheck } from './result.js';

export async function recordLearnedIdentities(deps: Deps, profiles: readonly string[], checks: readonly LiveCheck[]): Promise<void> {
  const learned = new Map<string, { storeName: string; marketplaces: string[] }>();
  profiles.forEach((profile, i) => {
    const check = checks[i];
    const storeName = check?.storeName ? cleanStoreName(check.storeName) : undefined;
    if (check?.result === 'ok' && storeName && check.marketplaces?.length) learned.set(profile, { storeName, marketplaces: [...check.marketplaces].sort() });
  });
  if (learned.size === 0) return;
  const now = deps.now().toISOString();
  try {
    await updateConfig(deps.configDir, (config) => {
      for (const [name, identity] of learned) {
        const profile = config.profiles[name];
        // Never over what an authorization recorded: that is Amazon's word about the grant itself.
        if (profile && !profile.identity) profile.identity = { ...identity, learnedAt: now };
      }
    });
  } catch (error) {
    deps.stderr.write(`warning: could not record the sellers' store names in config.json (${error instanceof Error ? error.message : 'unknown error'})\n`);
  }
}
