// STYLE.md habit 7 as a test: `status` (without --check) and `--help` must load
// neither the HTTP client nor the keychain binding. Follows the static imports from the
// bundles' entries (src/main.ts, src/main-jobs.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

/** Every module an entry loads at start-up: static value imports only (`import type` is erased). */
function startupGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith('/')) return; // a package
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^import\s+(?!type\b)[^'"]*?from\s+'([^']+)';/gms)) {
      const spec = match[1]!;
      visit(spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
    }
  };
  visit(entry);
  return seen;
}

describe('start-up imports', () => {
  const graph = startupGraph(resolve(SRC, 'main.ts'));

  it('follows real imports (the walk itself works)', () => {
    expect(graph).toContain(resolve(SRC, 'commands/status.ts'));
    expect(graph).toContain(resolve(SRC, 'commands/token.ts'));
    expect(graph).toContain('@commander-js/extra-typings');
  });

  it.each(['@napi-rs/keyring', 'open', 'node:child_process', 'node:http', 'node:https', '@aws-sdk/client-sqs', 'nodemailer'])('does not load %s', (pkg) => {
    expect(graph).not.toContain(pkg);
  });

  it.each([
    'amazon/lwa.ts',
    'amazon/sellers.ts',
    'checks/live-check.ts',
    'secrets/access-token.ts',
    'secrets/refresh-grant.ts',
    'secrets/store.ts',
    'secrets/keychain.ts',
    'secrets/file-store.ts',
    'secrets/credential-helper.ts',
    'secrets/migration.ts',
    'report/prometheus.ts',
    'report/html.ts',
    'report/timeline.ts',
    'rotation/sqs.ts',
    'rotation/rotate.ts',
    'rotation/inbox.ts',
    'secrets/grantless-token.ts',
    'amazon/application-management.ts',
    'checks/app-check.ts',
    'serve/server.ts',
    'serve/signing.ts',
    'serve/routes.ts',
    'serve/complete.ts',
    'serve/invitations.ts',
  ])('does not load src/%s', (file) => {
    expect(graph).not.toContain(resolve(SRC, file));
  });
});

describe('the cached access token path (token, exec)', () => {
  const cached = startupGraph(resolve(SRC, 'secrets/access-token.ts'));

  it('reads the keychain cache without loading the refresh grant, LWA or the HTTP client', () => {
    for (const file of ['secrets/refresh-grant.ts', 'amazon/lwa.ts', 'amazon/http.ts']) expect(cached).not.toContain(resolve(SRC, file));
    for (const transport of ['node:http', 'node:https']) expect(cached).not.toContain(transport);
  });
});

describe('the jobs bundle (src/main-jobs.ts: token, exec, env)', () => {
  const jobs = startupGraph(resolve(SRC, 'main-jobs.ts'));

  it('holds the job commands and none of the others', () => {
    for (const command of ['token', 'exec', 'env']) expect(jobs).toContain(resolve(SRC, `commands/${command}.ts`));
    for (const command of ['app', 'import', 'status', 'request', 'remove', 'relay-page', 'completion', 'store', 'invite', 'serve', 'config', 'table']) {
      expect(jobs).not.toContain(resolve(SRC, `commands/${command}.ts`));
    }
  });
});
