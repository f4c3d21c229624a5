// The committed command reference (docs/commands/) is what the code generates: a changed flag,
// description or example, or a new command, fails here until `npm run reference` is run.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REFERENCE_DIR, commandReference, helpText, subcommandsIn } from '../../src/commands/reference.js';

const DIR = resolve(import.meta.dirname, '../..', REFERENCE_DIR);
const STALE = `${REFERENCE_DIR} is stale: run \`npm run reference\` and commit the pages`;

describe('the command reference', () => {
  const generated = commandReference();

  it('has a page for every command that --help lists, subcommands included', () => {
    expect(generated.has('README.md')).toBe(true);
    for (const name of ['token.md', 'exec.md', 'status.md', 'app.md', 'app-add.md', 'store-migrate.md']) expect([...generated.keys()]).toContain(name);
    expect([...generated.keys()]).not.toContain('__complete.md');
    // Found the way an operator finds them: each page's --help names its subcommands.
    expect(subcommandsIn(helpText(['app'])).map((s) => s.name)).toEqual(expect.arrayContaining(['add', 'list', 'set', 'remove', 'set-secret']));
  });

  it('each page is what that command --help prints', () => {
    expect(generated.get('token.md')).toContain(helpText(['token']).trimEnd());
    expect(generated.get('app-set-secret.md')).toContain('$ amz-token app set-secret --help\nUsage: amz-token app set-secret');
  });

  it('matches the committed pages, and no committed page is left over', () => {
    const committed = readdirSync(DIR).filter((name) => name.endsWith('.md'));
    expect(committed.sort(), STALE).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(readFileSync(join(DIR, name), 'utf8'), `${REFERENCE_DIR}/${name}: ${STALE}`).toBe(text);
  });
});
