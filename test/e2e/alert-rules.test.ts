// The shipped alert rules (contrib/prometheus/) checked and unit-tested by Debian's
// promtool, as an operator would before loading them. A broken rule or a failing
// rule test fails npm test; so would rule tests that could not tell a wrong threshold.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CONTRIB = resolve(import.meta.dirname, '../../contrib/prometheus');
const RULES = 'amz-token.rules.yml';
const TESTS = 'amz-token.rules.test.yml';

function promtool(args: string[], cwd: string) {
  // reject: false, but a missing promtool must fail loudly (scripts/test.sh installs it), not pass.
  return execa('promtool', args, { cwd, reject: false }).then((result) => {
    if ((result as { code?: string }).code === 'ENOENT') throw new Error('promtool not found: run the tests with npm test, which installs Debian\'s prometheus package');
    return result;
  });
}

describe('contrib/prometheus/amz-token.rules.yml', () => {
  it('passes promtool check rules, with the seven documented alerts', async () => {
    const result = await promtool(['check', 'rules', RULES], CONTRIB);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain('SUCCESS: 7 rules found');
    const alerts = [...readFileSync(join(CONTRIB, RULES), 'utf8').matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts).toEqual([
      'AmzTokenAuthorizationExpiringSoon',
      'AmzTokenAuthorizationExpired',
      'AmzTokenClientSecretExpiringSoon',
      'AmzTokenClientSecretExpired',
      'AmzTokenCheckFailing',
      'AmzTokenClientSecretRejected',
      'AmzTokenMetricsStale',
    ]);
  });

  it('passes its promtool rule unit tests: each alert fires when it should and stays silent when it should not', async () => {
    const result = await promtool(['test', 'rules', TESTS], CONTRIB);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(String(result.stdout)).toContain('SUCCESS');
  });

  // Each mutation moves one threshold or duration a little; the rule tests must notice every one.
  it.each([
    ['the warning window one second wider (< becomes <=)', /< 30 \* 24 \* 3600/g, '<= 30 * 24 * 3600'],
    ['"expired" one second late (<= 0 becomes < 0)', /<= 0$/gm, '< 0'],
    ['"soon" still true at the expiry second (> 0 becomes >= 0)', / > 0$/gm, ' >= 0'],
    ['the warnings\' for: half an hour instead of an hour', /for: 1h/g, 'for: 30m'],
    ['staleness at exactly 26 hours (> becomes >=)', /> 26 \* 3600/g, '>= 26 * 3600'],
    ['a failing check not alerting (== 0 becomes == 1)', /== 0$/gm, '== 1'],
    ['a rejected client secret not alerting', /amz_token_client_secret_check_success == 0/g, 'amz_token_client_secret_check_success == 2'],
  ])('fail when %s', async (_what, pattern, replacement) => {
    const dir = mkdtempSync(join(tmpdir(), 'amz-token-rules-'));
    const original = readFileSync(join(CONTRIB, RULES), 'utf8');
    const mutated = original.replace(pattern, replacement);
    expect(mutated).not.toBe(original); // the mutation applied
    writeFileSync(join(dir, RULES), mutated);
    copyFileSync(join(CONTRIB, TESTS), join(dir, TESTS));
    const result = await promtool(['test', 'rules', TESTS], dir);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout) + String(result.stderr)).toContain('FAILED');
  });
});
