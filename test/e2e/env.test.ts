// End to end: `env` in every format, the built binary against the Amazon
// double and a real gnome-keyring: `sh` evaluated by bash, `json` parsed,
// `github` read back as the Actions runner reads $GITHUB_ENV.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, requireTestKeyring } from '../support/cli.js';
import { FAKE } from '../support/fake-deps.js';
import { jobRig, tempDir, type JobRig } from '../support/job-rig.js';

let h: JobRig;
beforeAll(async () => {
  requireTestKeyring();
  h = await jobRig();
});
afterEach(() => {
  h.double.faults = {};
});
afterAll(() => h?.close());

describe('env prints the same variables for shells and CI', () => {
  it('sh survives eval in bash even when Amazon hands out a token with a newline and quotes; json parses; dotenv refuses what it cannot quote', async () => {
    const p = h.profileName('de');
    await h.addProfile(p);
    const hostile = `Atza|it's "odd"\nexport INJECTED=1 $(touch /tmp/amz-token-pwned)`;
    h.double.faults.body = JSON.stringify({ access_token: hostile, token_type: 'bearer', expires_in: 3600 });
    const env = { ...h.s.env, AMZ_TOKEN_LWA_URL: h.double.lwaUrl, HOME: h.s.configDir };
    const script = `eval "$(node '${BIN}' env --profile '${p}')" || exit 9; printf '%s' "$SP_API_ACCESS_TOKEN"; printf '|%s|%s' "\${INJECTED:-unset}" "$SP_API_DEFAULT_MARKETPLACE"`;
    const bash = await execa('bash', ['-c', script], { env, reject: false });
    expect(bash.exitCode, String(bash.stderr)).toBe(0);
    expect(String(bash.stdout)).toBe(`${hostile}|unset|DE`);
    expect(existsSync('/tmp/amz-token-pwned')).toBe(false);

    const json = await h.run(['env', '--profile', p, '--format', 'json'], {}, { printsSecrets: true });
    expect(JSON.parse(String(json.stdout))).toMatchObject({ SP_API_ACCESS_TOKEN: hostile, SP_API_MARKETPLACE_ID: 'A1PA6795UKMFR9', AMZ_TOKEN_PROFILE: p });
    expect(JSON.parse(String((await h.run(['--json', 'env', '--profile', p], {}, { printsSecrets: true })).stdout))).toEqual(JSON.parse(String(json.stdout)));

    const dotenv = await h.run(['env', '--profile', p, '--format', 'dotenv']);
    expect(dotenv.exitCode).toBe(2);
    expect(String(dotenv.stdout)).toBe('');
    expect(String(dotenv.stderr)).toContain('SP_API_ACCESS_TOKEN cannot be written unambiguously in dotenv format');
  });

  it('dotenv writes NAME=value lines', async () => {
    const p = h.profileName('de');
    await h.addProfile(p);
    const dotenv = await h.run(['env', '--profile', p, '--format', 'dotenv', '--lwa-credentials'], {}, { printsSecrets: true });
    expect(dotenv.exitCode, String(dotenv.stderr)).toBe(0);
    const lines = String(dotenv.stdout).split('\n');
    expect(lines).toHaveLength(15);
    expect(lines).toContain('SP_API_REGION=eu');
    expect(lines).toContain(`LWA_CLIENT_SECRET=${FAKE.clientSecret}`);
    expect(lines.every((line) => /^[A-Z_]+=\S*$/.test(line))).toBe(true);
  });

  it('github appends to $GITHUB_ENV in the multi-line syntax, so a newline cannot inject a variable, and prints only masks', async () => {
    const p = h.profileName('de');
    const refreshToken = await h.addProfile(p);
    const hostile = 'Atza|first-line\nINJECTED=1';
    h.double.faults.body = JSON.stringify({ access_token: hostile, token_type: 'bearer', expires_in: 3600 });
    const githubEnv = join(tempDir(), 'github_env');
    writeFileSync(githubEnv, 'EARLIER=kept\n');
    const result = await h.run(['env', '--profile', p, '--format', 'github', '--lwa-credentials'], { GITHUB_ENV: githubEnv }, { printsSecrets: true });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).split('\n')).toEqual([
      '::add-mask::Atza|first-line',
      '::add-mask::INJECTED=1',
      `::add-mask::${FAKE.clientSecret}`,
      `::add-mask::${refreshToken}`,
    ]);
    const parsed = parseGithubEnv(readFileSync(githubEnv, 'utf8'));
    expect(parsed).toMatchObject({ EARLIER: 'kept', SP_API_ACCESS_TOKEN: hostile, SP_API_REGION: 'eu', LWA_REFRESH_TOKEN: refreshToken, AMZ_TOKEN_PROFILE: p });
    expect(parsed).not.toHaveProperty('INJECTED');
    expect(Object.keys(parsed)).toHaveLength(16);

    const noFile = await h.run(['env', '--profile', p, '--format', 'github']);
    expect(noFile.exitCode).toBe(2);
    expect(String(noFile.stderr)).toContain('--format github needs $GITHUB_ENV');
  });
});

/** $GITHUB_ENV as the Actions runner reads it: NAME=value lines, or NAME<<DELIMITER ... DELIMITER blocks. */
function parseGithubEnv(text: string): Record<string, string> {
  const lines = text.split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      while (lines[++i] !== heredoc[2]) {
        if (i >= lines.length) throw new Error(`unterminated value of ${heredoc[1]}`);
        value.push(lines[i]!);
      }
      out[heredoc[1]!] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}
