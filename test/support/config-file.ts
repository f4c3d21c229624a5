// Writes a config.json straight into a sandbox, for tests of commands that only
// read it (status, completion): no keychain, no `import` round trips.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProfileFields {
  app?: string;
  region?: 'na' | 'eu' | 'fe';
  marketplace?: string;
  role?: 'seller' | 'vendor';
  sellingPartnerId?: string;
  authorizedAt?: string;
  expiresAt: string;
}

export function writeConfig(
  configDir: string,
  config: { apps?: Record<string, { clientSecretCreatedAt: string }>; profiles?: Record<string, ProfileFields> },
): void {
  const apps = Object.fromEntries(
    Object.entries(config.apps ?? {}).map(([name, a], i) => [
      name,
      {
        // Valid ids: config.json's entries obey the same rules as the flags that set them.
        appId: `amzn1.sp.solution.00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
        clientId: `amzn1.application-oa2-client.${i.toString(16).padStart(32, '0')}`,
        redirectUri: 'https://relay.example.com/amz-token/',
        draft: false,
        ...a,
      },
    ]),
  );
  const profiles = Object.fromEntries(
    Object.entries(config.profiles ?? {}).map(([name, p]) => [
      name,
      { app: 'my-app', region: 'eu', marketplace: 'DE', role: 'seller', sellingPartnerId: 'A3EXAMPLE12345', ...p },
    ]),
  );
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ version: 1, apps, profiles }, null, 2), { mode: 0o600 });
}
