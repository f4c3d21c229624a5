// One Amazon double, sandbox and app shared by the tests of a file that run
// `exec` or `env` end to end (each test adds its own profiles), and the check
// that amz-token's own output never showed a secret.
import { expect } from 'vitest';
import type { Result } from 'execa';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox, type Sandbox } from './cli.js';
import { FAKE } from './fake-deps.js';
import { startAmazonDouble, type AmazonDouble } from '../amazon-double/index.js';

export const SELLER = 'A3TESTSELLER01';
export const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
const DAY = 24 * 60 * 60 * 1000;
export const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
export const tempDir = () => mkdtempSync(join(tmpdir(), 'amz-token-job-'));

export interface JobRig {
  s: Sandbox;
  double: AmazonDouble;
  app: string;
  /** Runs amz-token pointed at the double (HOME is a folder of the sandbox); its output is checked for secrets unless it prints them on purpose. */
  run(args: string[], env?: Record<string, string | undefined>, options?: { printsSecrets?: boolean }): Promise<Result>;
  /** Imports a profile with a refresh token the double issued; returns the token. */
  addProfile(name: string, options?: { authorizedAt?: string }): Promise<string>;
  /** A new profile name, unique on this machine, e.g. `t123x4ab-de3`. */
  profileName(what: string): string;
  /** How many token requests the double has had so far. */
  lwaCalls(): number;
  close(): Promise<void>;
}

export async function jobRig(): Promise<JobRig> {
  const double = await startAmazonDouble({
    apps: [{ applicationId: FAKE.appId, clientId: FAKE.clientId, clientSecret: FAKE.clientSecret, redirectUris: ['https://relay.example.com/amz/'] }],
    sellingPartnerId: SELLER,
  });
  const s = sandbox();
  const app = `${s.prefix}-app`;
  const secrets = [FAKE.clientSecret];
  const checked: Result[] = [];
  let profiles = 0;
  const added = await s.run(
    ['app', 'add', app, '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/', '--secret-created', daysAgo(10)],
    { input: `${FAKE.clientSecret}\n` },
  );
  expect(added.exitCode, String(added.stderr)).toBe(0);
  return {
    s,
    double,
    app,
    async run(args, env = {}, options = {}) {
      const result = await s.run(args, { env: { AMZ_TOKEN_LWA_URL: double.lwaUrl, HOME: s.configDir, ...env } });
      if (!options.printsSecrets) checked.push(result);
      return result;
    },
    async addProfile(name, { authorizedAt = daysAgo(10) } = {}) {
      const token = double.issueRefreshToken(FAKE.clientId);
      secrets.push(token);
      const imported = await s.run(
        ['import', '--profile', name, '--app', app, '--region', 'eu', '--marketplace', 'DE', '--selling-partner-id', SELLER, '--authorized-at', authorizedAt],
        { input: `${token}\n` },
      );
      expect(imported.exitCode, String(imported.stderr)).toBe(0);
      return token;
    },
    profileName: (what) => `${s.prefix}-${what}${++profiles}`,
    lwaCalls: () => double.requests.length,
    async close() {
      await double.close();
      for (const result of checked) {
        for (const text of [String(result.stdout), String(result.stderr)]) {
          for (const secret of secrets) expect(text.includes(secret), "a secret leaked into amz-token's output").toBe(false);
          // Access tokens too: every one the double mints starts so.
          expect(text).not.toMatch(/Atz[ar]\|/);
        }
      }
    },
  };
}

/** A job that writes its environment to a file, so that nothing secret passes through its stdout. */
export function envDumpingJob(): { command: string[]; read(): Record<string, string> } {
  const file = join(tempDir(), 'env.json');
  return {
    command: ['node', '-e', `require('node:fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.env))`],
    read: () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>,
  };
}
