// `amz-token explain CODE` and the one table it shares with a timed-out flow and the README.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_CODES, consentPageErrors, lookUpCode, troubleshootingMarkdown } from '../../src/flow/consent-errors.js';
import { fakeEnvironment, FAKE } from '../support/fake-deps.js';

const ISSUE_CODES = ['MD1000', 'MD5101', 'MD5110', 'MD9000', 'MD9010', 'MD9100', 'SPDC8143', 'invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope'];

describe('the table of known codes', () => {
  it("holds every consent-page code, LWA's errors and the SP-API's 403 forms", () => {
    for (const code of ISSUE_CODES) expect(lookUpCode(code).map((e) => e.code), code).toEqual([code]);
    expect(lookUpCode('403').map((e) => e.where)).toEqual(['SP-API', 'SP-API', 'SP-API']);
    expect(lookUpCode('403').some((e) => e.meaning.includes('The LWA secret token you provided has expired'))).toBe(true);
  });

  it('is what the README says: run `npm run readme` when this fails', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(`by \`npm run readme\`; edit it there -->\n${troubleshootingMarkdown()}\n<!-- /troubleshooting -->`);
    for (const { code } of KNOWN_CODES) expect(troubleshootingMarkdown()).toContain(`| ${code} |`);
  });

  it('gives a timed-out flow one line per consent-page code, with the commands unmarked and filled in for the app', () => {
    const lines = consentPageErrors({ name: 'shop-app', redirectUri: 'https://relay.example.com/amz/', draft: false });
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(['MD1000', 'MD5101', 'MD5110', 'MD9000', 'MD9010', 'MD9100', 'SPDC8143']);
    expect(lines.join('\n')).toContain('amz-token app set shop-app --draft');
    expect(lines.join('\n')).toContain('register https://relay.example.com/amz/ in the Developer Console');
    expect(lines.join('\n')).not.toContain('`');
    // A draft app is not told to become a draft.
    expect(consentPageErrors({ name: 'a', redirectUri: 'https://x.example/', draft: true })[0]).not.toContain('--draft');
  });
});

describe('amz-token explain', () => {
  it('matches any case and names the only app and profile in the fix', async () => {
    const env = fakeEnvironment();
    const added = await env.run(['app', 'add', 'shop-app', '--app-id', FAKE.appId, '--client-id', FAKE.clientId, '--redirect-uri', 'https://relay.example.com/amz/'], `${FAKE.clientSecret}\n`);
    expect(added.code, added.stderr).toBe(0);
    const result = await env.run(['explain', 'Invalid_Client']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^invalid_client \(Login with Amazon\): /);
    expect(result.stdout).toContain('Fix: amz-token app rotate-secret shop-app;');
    const md = await env.run(['explain', 'md5101']);
    expect(md.stdout).toContain('register https://relay.example.com/amz/ in the Developer Console');
  });

  it('uses placeholders without a config, and --json gives a list', async () => {
    const result = await fakeEnvironment().run(['explain', '403', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout);
    expect(entries.map((e: { code: string }) => e.code)).toEqual(['403-secret-expired', '403-access-denied', '403-invalid-token']);
    expect(entries[0].fix).toContain('amz-token app rotate-secret <app>');
  });

  it('exits 5 for an unknown code, listing the known ones', async () => {
    const result = await fakeEnvironment().run(['explain', 'MD4242']);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"MD4242" is not a code amz-token knows');
    for (const code of ISSUE_CODES) expect(result.stderr).toContain(code);
  });

  it('exits 5 for --app naming no app', async () => {
    const result = await fakeEnvironment().run(['explain', 'MD1000', '--app', 'nope']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('no app named "nope"');
  });
});
