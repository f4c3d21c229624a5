// Runs the built amz-token binary (dist/, made by `npm run build`) with execa,
// in an isolated config folder, against the real Secret Service that
// scripts/test.sh starts. Refuses to run without that keychain rather than skip.

import { execa, type Options, type Result, type ResultPromise } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/amz-token.js');

export function requireTestKeyring(): void {
  if (process.env.AMZ_TOKEN_TEST_KEYRING !== '1' || !process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('these tests need the headless Secret Service that `npm test` starts; run them with `npm test`');
  }
}

export interface Sandbox {
  configDir: string;
  /** A unique profile/app name prefix, so parallel test files never share keychain items. */
  prefix: string;
  env: Record<string, string>;
  run(args: string[], options?: { input?: string; env?: Record<string, string | undefined>; timeout?: number }): Promise<Result>;
  /** Starts amz-token with stdin open, for tests that talk to it while it runs. */
  start(args: string[], options?: { env?: Record<string, string | undefined>; timeout?: number }): Running;
  /** Every file the tool wrote under the config folder, concatenated. */
  configText(): string;
}

export interface Running {
  child: ResultPromise;
  stdout(): string;
  stderr(): string;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'amz-token-e2e-'));
  const configDir = join(root, 'config');
  const prefix = `t${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
  const env: Record<string, string> = {
    AMZ_TOKEN_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    TZ: 'UTC',
  };
  return {
    configDir,
    prefix,
    env,
    run(args, options = {}) {
      const execaOptions: Options = {
        reject: false,
        input: options.input ?? '',
        env: { ...env, ...options.env },
        timeout: options.timeout ?? 60_000,
      };
      return execa('node', [BIN, ...args], execaOptions) as Promise<Result>;
    },
    start(args, options = {}) {
      const child = execa('node', [BIN, ...args], {
        reject: false,
        stdin: 'pipe',
        env: { ...env, ...options.env },
        timeout: options.timeout ?? 90_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return { child, stdout: () => stdout, stderr: () => stderr };
    },
    configText() {
      const out: string[] = [];
      const walk = (dir: string) => {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          return;
        }
        for (const name of names) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else out.push(readFileSync(path, 'utf8'));
        }
      };
      walk(root);
      return out.join('\n');
    },
  };
}

/** Reads a keychain item back through libsecret's own CLI, not through our code. */
export async function secretToolLookup(account: string): Promise<string | null> {
  const result = await execa('secret-tool', ['lookup', 'service', 'amz-token', 'username', account], { reject: false });
  return result.exitCode === 0 ? String(result.stdout) : null;
}
