// Where `status` puts its views, in-process: --format (and --json) choose stdout,
// --metrics-file / --html / --ics write files (or "-": stdout), and two claims on
// stdout are refused. The built binary and real readers are test/e2e/metrics.test.ts
// and test/e2e/html-report.test.ts.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fakeEnvironment } from '../support/fake-deps.js';
import { writeConfig } from '../support/config-file.js';
import { stdoutFormat } from '../../src/commands/status.js';

function env() {
  const e = fakeEnvironment({ now: new Date('2026-11-27T12:00:00Z') });
  writeConfig(e.deps.configDir, {
    apps: { 'my-app': { clientSecretCreatedAt: '2026-10-01T00:00:00.000Z' } },
    profiles: { 'shop-de': { expiresAt: '2027-06-10T00:00:00.000Z' }, 'shop-us': { marketplace: 'US', region: 'na', expiresAt: '2026-12-10T00:00:00.000Z' } },
  });
  return e;
}

describe('status --format', () => {
  it('prometheus prints only the metrics on stdout, and exits as status does', async () => {
    const result = await env().run(['status', '--format', 'prometheus']);
    expect(result.code).toBe(3); // shop-us expires within 30 days
    expect(result.stdout).toMatch(/^# HELP amz_token_authorization_expiry_timestamp_seconds /);
    expect(result.stdout).toContain('amz_token_authorization_expiry_timestamp_seconds{profile="shop-us",app="my-app",region="na",marketplace="US",role="seller",selling_partner_id="A3EXAMPLE12345"} 1796860800\n');
    expect(result.stdout).toContain(`amz_token_status_generated_timestamp_seconds ${Date.parse('2026-11-27T12:00:00Z') / 1000}\n`);
    expect(result.stderr).toBe('');
  });

  it('json is what --json prints, and table what plain status prints', async () => {
    expect((await env().run(['status', '--format', 'json'])).stdout).toBe((await env().run(['status', '--json'])).stdout);
    expect((await env().run(['status', '--json', '--format', 'json'])).code).toBe(3);
    const table = await env().run(['status', '--format', 'table']);
    expect(table.stdout).toBe((await env().run(['status'])).stdout);
    expect(table.stdout).toMatch(/^PROFILE/);
  });

  it.each([
    [['status', '--json', '--format', 'prometheus'], /--json and --format prometheus ask for different output/],
    [['status', '--format', 'prometheus', '--ics', '-'], /--format prometheus and --ics - both want stdout/],
    [['status', '--json', '--html', '-'], /--json and --html - both want stdout/],
    [['status', '--ics', '-', '--html', '-'], /--ics - and --html - both want stdout/],
    [['status', '--format', 'table', '--html', '-'], /--format table and --html - both want stdout/],
    [['status', '--metrics-file', '-'], /--metrics-file needs a file path/],
    [['status', '--format', 'yaml'], /argument 'yaml' is invalid/],
  ])('%j exits 2 with nothing on stdout', async (argv, message) => {
    const result = await env().run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('picks the format from --format, else --json, else the table', () => {
    expect(stdoutFormat({ json: false })).toBe('table');
    expect(stdoutFormat({ json: true })).toBe('json');
    expect(stdoutFormat({ json: false, format: 'prometheus', ics: 'team.ics', html: 'team.html' })).toBe('prometheus');
    expect(stdoutFormat({ json: false, html: '-' })).toBe('table'); // the page takes the table's place
  });
});

describe('status --metrics-file and --html', () => {
  it('--metrics-file writes what --format prometheus prints, 0644, with the table still on stdout', async () => {
    const e = env();
    const file = join(dirname(e.deps.configDir), 'amz-token.prom');
    const result = await e.run(['status', '--format', 'prometheus', '--metrics-file', file]);
    expect(result.code).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe(result.stdout);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
    const plain = await e.run(['status', '--metrics-file', file]);
    expect(plain.stdout).toMatch(/^PROFILE/);
    expect(plain.stderr).toContain(`Wrote the metrics of 2 authorizations and 1 client secret to ${file}.`);
    expect(readdirSync(dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--html - prints the page instead of the table; --html <file> writes it beside the usual output', async () => {
    const e = env();
    const page = await e.run(['status', '--html', '-']);
    expect(page.code).toBe(3);
    expect(page.stdout).toMatch(/^<!doctype html>/);
    const file = join(dirname(e.deps.configDir), 'team.html');
    const written = await e.run(['status', '--json', '--html', file]);
    expect(JSON.parse(written.stdout).profiles).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe(page.stdout);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('exits 2 naming the flag when the file cannot be written', async () => {
    for (const flag of ['--metrics-file', '--html']) {
      const result = await env().run(['status', flag, '/nonexistent/folder/out']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`amz-token: ${flag}: cannot write /nonexistent/folder/out (ENOENT)`);
    }
  });
});
