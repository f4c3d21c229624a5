// End to end: the scripts `amz-token completion bash|zsh|fish` prints, loaded
// into the real shells, completing against a sandbox config through the built
// binary (the scripts call `amz-token __complete` back for names).
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sandbox, type Sandbox } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { isoFromNow } from '../support/dates.js';

let s: Sandbox;
let env: Record<string, string>;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  s = sandbox();
  // `amz-token` on PATH, as after npm install -g: the scripts call it by that name.
  const bin = mkdtempSync(join(tmpdir(), 'amz-token-path-'));
  writeFileSync(join(bin, 'amz-token'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(bin, 'amz-token'), 0o755);
  const secret = { clientSecretCreatedAt: isoFromNow(-60) };
  const expiresAt = isoFromNow(200);
  writeConfig(s.configDir, {
    apps: { 'my-app': secret, 'other-app': secret },
    profiles: { 'shop-de': { expiresAt }, 'shop-fr': { marketplace: 'FR', expiresAt }, 'us-main': { region: 'na', marketplace: 'US', expiresAt } },
  });
  env = { ...s.env, PATH: `${bin}:${process.env.PATH}`, HOME: s.configDir };
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await s.run(['completion', shell]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toBe('');
    scripts[shell] = join(s.configDir, `completion.${shell}`);
    writeFileSync(scripts[shell]!, String(result.stdout) + '\n');
  }
});

describe('the hidden helper the scripts call back', () => {
  it('prints profile and app names from config.json, one a line, sorted', async () => {
    expect(String((await s.run(['__complete', 'profiles'])).stdout)).toBe('shop-de\nshop-fr\nus-main');
    expect(String((await s.run(['__complete', 'apps'])).stdout)).toBe('my-app\nother-app');
  });

  it('prints nothing, and no error, without a config or with a broken one', async () => {
    const empty = sandbox();
    const none = await empty.run(['__complete', 'profiles']);
    expect([none.exitCode, String(none.stdout), String(none.stderr)]).toEqual([0, '', '']);
    mkdirSync(empty.configDir, { recursive: true });
    writeFileSync(join(empty.configDir, 'config.json'), '{ broken', { mode: 0o600 });
    const broken = await empty.run(['__complete', 'apps']);
    expect([broken.exitCode, String(broken.stdout), String(broken.stderr)]).toEqual([0, '', '']);
  });

  it('an unknown shell is a usage error', async () => {
    const result = await s.run(['completion', 'powershell']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/bash, zsh, fish/);
  });
});

describe('bash', () => {
  /** What bash offers for the words typed so far (the last one is being completed). */
  async function complete(...words: string[]): Promise<string[]> {
    const program = `
source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
COMP_LINE="\${COMP_WORDS[*]}"
COMP_POINT=\${#COMP_LINE}
_amz_token
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = await execa('bash', ['--norc', '--noprofile', '-c', program], { env, cwd: s.configDir, reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toBe('');
    return String(result.stdout).split('\n').filter(Boolean);
  }

  it('registers itself for amz-token', async () => {
    const result = await execa('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(scripts.bash)}; complete -p amz-token`], { env });
    expect(String(result.stdout)).toBe('complete -F _amz_token amz-token');
  });

  it('completes commands and subcommands', async () => {
    expect(await complete('amz-token', '')).toEqual(['app', 'import', 'status', 'request', 'renew', 'relay-page', 'remove', 'profile', 'token', 'exec', 'env', 'completion', 'store', 'config', 'invite', 'remind', 'serve', 'explain', 'doctor']);
    expect(await complete('amz-token', 're')).toEqual(['request', 'renew', 'relay-page', 'remove', 'remind']);
    expect(await complete('amz-token', 'app', '')).toEqual(['add', 'list', 'set', 'remove', 'set-secret', 'rotate-secret', 'watch-secrets']);
    expect(await complete('amz-token', '--profile', 'shop-de', 'st')).toEqual(['status', 'store']);
    expect(await complete('amz-token', 'store', '')).toEqual(['show', 'prune', 'migrate']);
    expect(await complete('amz-token', 'config', '')).toEqual(['get', 'set', 'unset', 'set-secret']);
    expect(await complete('amz-token', 'profile', '')).toEqual(['set', 'show']);
  });

  it("completes a command's flags and the global ones", async () => {
    const flags = await complete('amz-token', 'status', '--');
    expect(flags).toEqual(expect.arrayContaining(['--warn-days', '--at', '--check', '--deep', '--ics', '--json', '--quiet', '--profile', '--help']));
    expect(flags).not.toContain('--app');
    expect(await complete('amz-token', 'request', '--m')).toEqual(['--marketplace']);
  });

  it('completes profile and app names from the config, and fixed values', async () => {
    expect(await complete('amz-token', 'status', '--profile', '')).toEqual(['shop-de', 'shop-fr', 'us-main']);
    expect(await complete('amz-token', 'renew', '--profile', 'shop')).toEqual(['shop-de', 'shop-fr']);
    expect(await complete('amz-token', 'status', '--profile', '=', 'us')).toEqual(['us-main']);
    expect(await complete('amz-token', 'request', '--app', '')).toEqual(['my-app', 'other-app']);
    expect(await complete('amz-token', 'app', 'set-secret', 'o')).toEqual(['other-app']);
    expect(await complete('amz-token', 'app', 'rotate-secret', 'o')).toEqual(['other-app']);
    expect(await complete('amz-token', 'request', '--marketplace', 'D')).toEqual(['DE']);
    expect(await complete('amz-token', 'import', '--region', '')).toEqual(['na', 'eu', 'fe']);
    expect(await complete('amz-token', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete('amz-token', 'profile', 'set', 'shop')).toEqual(['shop-de', 'shop-fr']);
    expect(await complete('amz-token', 'profile', 'set', 'shop-de', '--language', '')).toEqual(['en', 'de']);
    expect(await complete('amz-token', 'remind', '--')).toEqual(expect.arrayContaining(['--send', '--warn-days', '--json']));
    expect(await complete('amz-token', 'explain', 'MD9')).toEqual(['MD9000', 'MD9010', 'MD9100']);
  });

  it('completes the values of --format and store migrate --to', async () => {
    expect(await complete('amz-token', 'status', '--format', '')).toEqual(['table', 'json', 'prometheus']);
    expect(await complete('amz-token', 'status', '--format', 'p')).toEqual(['prometheus']);
    expect(await complete('amz-token', 'store', 'migrate', '--to', '')).toEqual(['keychain', 'file', 'helper:pass', 'helper:secretservice']);
  });

  it('offers the app name once: not again after app set my-app', async () => {
    expect(await complete('amz-token', 'app', 'set', '')).toEqual(['my-app', 'other-app']);
    expect(await complete('amz-token', 'app', 'set', 'my-app', '')).toEqual([]);
    expect(await complete('amz-token', 'app', 'set', 'my-app', '--dr')).toEqual(['--draft']);
  });

  it('after exec ... -- offers commands, then files, never its own flags', async () => {
    expect(await complete('amz-token', 'exec', '--profile', 'shop-de', '--', 'ech')).toContain('echo');
    writeFileSync(join(s.configDir, 'job-input.txt'), '');
    expect(await complete('amz-token', 'exec', '--', 'cat', 'job-in')).toEqual(['job-input.txt']);
    expect(await complete('amz-token', 'exec', '--', 'ls', '--')).not.toContain('--profile');
  });

  it('offers nothing for free-text values, and file names for --ics', async () => {
    expect(await complete('amz-token', 'status', '--warn-days', '')).toEqual([]);
    writeFileSync(join(s.configDir, 'team.ics'), '');
    expect(await complete('amz-token', 'status', '--ics', 'tea')).toEqual(['team.ics']);
  });
});

describe('zsh', () => {
  it('parses', async () => {
    const result = await execa('zsh', ['-n', scripts.zsh!], { reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });

  it('offers profile names after --profile (compadd recorded)', async () => {
    // zsh runs completion functions only inside its line editor; this calls ours the same way,
    // with compadd and compdef recorded instead of acted on.
    const program = `
compdef() { print -r -- "compdef $*" }
compadd() { shift; print -rl -- "$@" }
source ${JSON.stringify(scripts.zsh)}
words=(amz-token status --profile '')
CURRENT=4
_amz_token`;
    const result = await execa('zsh', ['-f', '-c', program], { env, reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).split('\n')).toEqual(['compdef _amz_token amz-token', 'shop-de', 'shop-fr', 'us-main']);
  });

  /** What our function hands zsh: compadd's words, or the words _normal was left to complete. */
  async function zshComplete(...words: string[]): Promise<string[]> {
    const program = `
compdef() { }
compadd() { shift; print -rl -- "$@" }
_normal() { print -r -- "_normal $CURRENT: \${(j: :)words}" }
source ${JSON.stringify(scripts.zsh)}
words=(${words.map((w) => `'${w}'`).join(' ')})
CURRENT=${words.length}
_amz_token`;
    const result = await execa('zsh', ['-f', '-c', program], { env, reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    return String(result.stdout).split('\n').filter(Boolean);
  }

  it('completes choice values, the app name once, and hands the words after exec -- to _normal', async () => {
    expect(await zshComplete('amz-token', 'status', '--format', '')).toEqual(['table', 'json', 'prometheus']);
    expect(await zshComplete('amz-token', 'app', 'set', 'my-app', '')).toEqual([]);
    expect(await zshComplete('amz-token', 'exec', '--profile', 'shop-de', '--', 'ls', '')).toEqual(['_normal 2: ls ']);
  });
});

describe('fish', () => {
  async function complete(line: string): Promise<string[]> {
    const result = await execa('fish', ['--no-config', '-c', `source ${JSON.stringify(scripts.fish)}; complete -C ${JSON.stringify(line)}`], { env, reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    return String(result.stdout)
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!);
  }

  it('parses', async () => {
    const result = await execa('fish', ['--no-execute', scripts.fish!], { reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });

  it('completes commands, flags and names', async () => {
    expect(await complete('amz-token ')).toEqual(expect.arrayContaining(['app', 'status', 'request', 'renew', 'completion']));
    expect(await complete('amz-token app ')).toEqual(['add', 'list', 'remove', 'rotate-secret', 'set', 'set-secret', 'watch-secrets']);
    expect(await complete('amz-token status --profile ')).toEqual(['shop-de', 'shop-fr', 'us-main']);
    expect(await complete('amz-token app remove ')).toEqual(['my-app', 'other-app']);
    expect(await complete('amz-token status --w')).toEqual(['--warn-days']);
    expect(await complete('amz-token request --marketplace D')).toEqual(['DE']);
  });

  it('completes --format and --to values, the app name once, and the job after exec --', async () => {
    expect(await complete('amz-token status --format ')).toEqual(['json', 'prometheus', 'table']);
    expect(await complete('amz-token store migrate --to ')).toEqual(['file', 'helper:pass', 'helper:secretservice', 'keychain']);
    expect(await complete('amz-token app set ')).toEqual(['my-app', 'other-app']);
    expect(await complete('amz-token app set my-app ')).toEqual([]);
    expect(await complete('amz-token exec -- ech')).toContain('echo');
    expect(await complete('amz-token exec --profile shop-de -- ls --')).not.toContain('--profile');
  });
});
