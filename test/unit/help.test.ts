// Every command's --help: a description, examples and the exit codes it can
// return, found by walking the command list that --help itself prints, so that
// a new command without them fails here. And --version is package.json's.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fakeEnvironment } from '../support/fake-deps.js';

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

  it('the top-level help explains every exit code', async () => {
    const help = await helpOf([]);
    for (let code = 0; code <= 9; code++) expect(help).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
  });

  it('--version prints the version in package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await fakeEnvironment().run([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });
});
