// Every command's --help: a description, examples and the exit codes it can
// return, found by walking the command list that --help itself prints, so that
// a new command without them fails here. And --version is package.json's.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fakeEnvironment } from '../support/fake-deps.js';
import { CONFIG_EXIT_CODES } from '../../src/commands/config.js';
import { CONFIG_SECRET_EXIT_CODES } from '../../src/commands/config-secret.js';
import { PROFILE_EXIT_CODES } from '../../src/commands/profile.js';
import { REMIND_EXIT_CODES } from '../../src/commands/remind.js';
import { EXIT_CODES, exitCodeMarkdown, exitCodeSummary, type ExitCode } from '../../src/errors.js';
import { APP_EXIT_CODES } from '../../src/commands/app.js';
import { APP_SET_EXIT_CODES } from '../../src/commands/app-set.js';
import { SECRET_ROTATION_EXIT_CODES } from '../../src/commands/app-secrets.js';
import { COMPLETION_EXIT_CODES } from '../../src/commands/completion.js';
import { IMPORT_EXIT_CODES } from '../../src/commands/import.js';
import { RELAY_PAGE_EXIT_CODES } from '../../src/commands/relay-page.js';
import { REMOVE_EXIT_CODES } from '../../src/commands/remove.js';
import { FLOW_EXIT_CODES } from '../../src/commands/request.js';
import { STATUS_EXIT_CODES } from '../../src/commands/status.js';
import { TOKEN_EXIT_CODES } from '../../src/commands/token.js';
import { EXEC_EXIT_CODES } from '../../src/commands/exec.js';
import { ENV_EXIT_CODES } from '../../src/commands/env.js';
import { STORE_EXIT_CODES } from '../../src/commands/store.js';
import { INVITE_EXIT_CODES } from '../../src/commands/invite.js';
import { SERVE_EXIT_CODES } from '../../src/commands/serve.js';
import { EXPLAIN_EXIT_CODES } from '../../src/commands/explain.js';
import { DOCTOR_EXIT_CODES } from '../../src/commands/doctor.js';

/** Each command and the exit codes it declares next to itself. */
const DECLARED: Array<[string[], readonly ExitCode[]]> = [
  [['app', 'add'], APP_EXIT_CODES.add],
  [['app', 'list'], APP_EXIT_CODES.list],
  [['app', 'remove'], APP_EXIT_CODES.remove],
  [['app', 'set-secret'], APP_EXIT_CODES.setSecret],
  [['app', 'set'], APP_SET_EXIT_CODES],
  [['app', 'rotate-secret'], SECRET_ROTATION_EXIT_CODES.rotateSecret],
  [['app', 'watch-secrets'], SECRET_ROTATION_EXIT_CODES.watchSecrets],
  [['completion'], COMPLETION_EXIT_CODES],
  [['import'], IMPORT_EXIT_CODES],
  [['relay-page'], RELAY_PAGE_EXIT_CODES],
  [['remove'], REMOVE_EXIT_CODES],
  [['request'], FLOW_EXIT_CODES],
  [['renew'], FLOW_EXIT_CODES],
  [['status'], STATUS_EXIT_CODES],
  [['token'], TOKEN_EXIT_CODES],
  [['exec'], EXEC_EXIT_CODES],
  [['env'], ENV_EXIT_CODES],
  [['store', 'show'], STORE_EXIT_CODES.show],
  [['store', 'migrate'], STORE_EXIT_CODES.migrate],
  [['store', 'prune'], STORE_EXIT_CODES.prune],
  [['invite'], INVITE_EXIT_CODES.invite],
  [['invite', 'list'], INVITE_EXIT_CODES.list],
  [['invite', 'revoke'], INVITE_EXIT_CODES.revoke],
  [['serve'], SERVE_EXIT_CODES],
  [['explain'], EXPLAIN_EXIT_CODES],
  [['doctor'], DOCTOR_EXIT_CODES],
  [['config', 'get'], CONFIG_EXIT_CODES.get],
  [['config', 'set'], CONFIG_EXIT_CODES.set],
  [['config', 'unset'], CONFIG_EXIT_CODES.unset],
  [['config', 'set-secret'], CONFIG_SECRET_EXIT_CODES],
  [['profile', 'set'], PROFILE_EXIT_CODES.set],
  [['profile', 'show'], PROFILE_EXIT_CODES.show],
  [['remind'], REMIND_EXIT_CODES],
];

const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };

/** Command names listed under "Commands:" in a help text (without `help`). */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

async function helpOf(args: string[]) {
  const run = await fakeEnvironment().run([...args, '--help']);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

async function everyCommand(): Promise<string[][]> {
  const paths: string[][] = [];
  const visit = async (path: string[]) => {
    for (const name of commandsIn(await helpOf(path))) {
      paths.push([...path, name]);
      await visit([...path, name]);
    }
  };
  await visit([]);
  return paths;
}

describe('help', () => {
  it('lists the commands operators use, and hides the completion helper', async () => {
    const names = (await everyCommand()).map((p) => p.join(' '));
    expect(names).toEqual(expect.arrayContaining(['app', 'app add', 'status', 'request', 'renew', 'import', 'remove', 'token', 'exec', 'env', 'relay-page', 'completion']));
    expect(names).not.toContain('__complete');
  });

  it('gives every command a description, examples and its exit codes', async () => {
    const paths = await everyCommand();
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const help = await helpOf(path);
      const [usage, description] = help.split('\n\n');
      expect(usage, path.join(' ')).toMatch(new RegExp(`^Usage: amz-token ${path.join(' ')}\\b`));
      expect(description?.trim().length, `${path.join(' ')} has no description`).toBeGreaterThan(10);
      expect(help, `${path.join(' ')} has no examples`).toMatch(/^Examples:\n {2}\$ (amz-token|source) /m);
      expect(help, `${path.join(' ')} lists no exit codes`).toMatch(/^Exit codes: .*\b0\b.*\b2\b/m);
    }
  });

  it('no flag shows "(default: false)" or two defaults (import --help once read "(default: seller) (default: false)")', async () => {
    for (const path of await everyCommand()) {
      const help = (await helpOf(path)).replace(/\n {6,}/g, ' ');
      expect(help, path.join(' ')).not.toContain('(default: false)');
      expect(help, path.join(' ')).not.toMatch(/\(default[^)]*\)\s*\(default/);
    }
  });

  it('the top-level help explains every exit code', async () => {
    const help = await helpOf([]);
    for (const code of Object.keys(EXIT_CODES)) expect(help).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
  });

  it('--version prints the version in package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await fakeEnvironment().run([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it('the top-level help and the README give each exit code the meaning errors.ts gives it', async () => {
    const help = await helpOf([]);
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme, 'run `npm run readme`').toContain(exitCodeMarkdown());
    for (const [code, { meaning }] of Object.entries(EXIT_CODES)) {
      expect(help.replace(/\n {5,}/g, ' ')).toContain(`  ${code}  ${meaning.replace(/`/g, '')}`);
      expect(readme).toContain(`| ${code} | ${meaning} |`);
    }
  });

  it.each(DECLARED)('%j --help lists exactly the exit codes the command declares', async (path, codes) => {
    const help = await helpOf(path);
    expect(help).toContain(`Exit codes: ${exitCodeSummary(codes)} (see amz-token --help)`);
  });

  it('every command that has no subcommands is in that table', async () => {
    const leaves = (await everyCommand()).filter((path) => !(path.length === 1 && ['app', 'store', 'config', 'profile'].includes(path[0]!)));
    expect(leaves.map((path) => path.join(' ')).sort()).toEqual(DECLARED.map(([path]) => path.join(' ')).sort());
  });
});

describe('--profile in the help of the commands that need one', () => {
  // --profile is a global flag: each of these names it in its usage line, and lists it with the globals.
  it.each([['request'], ['renew'], ['token'], ['exec'], ['env'], ['remove'], ['import']])('%s --help', async (command) => {
    const env = fakeEnvironment();
    const help = await env.run([command, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: amz-token ${command} --profile <name> \\[options\\]`));
    expect(help.stdout).toMatch(/\nGlobal Options:\n[\s\S]*\n {2}--profile <name> +the profile to act on \(env: AMZ_TOKEN_PROFILE\)\n/);
  });
});
