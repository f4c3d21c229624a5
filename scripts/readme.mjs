// Owns `npm run readme`: rewrites the README's generated parts from the source,
// so that the README, --help and the code cannot drift apart. Today: the exit-code
// table, from EXIT_CODES in src/errors.ts. test/unit/readme.test.ts fails when they differ.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');

// errors.ts is TypeScript with no imports: esbuild turns it into a module we can import from memory.
const { outputFiles } = await build({ entryPoints: [join(root, 'src/errors.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
const { exitCodeMarkdown } = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);

const BEGIN = '<!-- exit-codes: generated from src/errors.ts by `npm run readme`; edit it there -->';
const END = '<!-- /exit-codes -->';
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start === -1 || end < start) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
const updated = `${readme.slice(0, start)}${BEGIN}\n${exitCodeMarkdown()}\n${readme.slice(end)}`;
if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('README.md: exit-code table updated');
} else {
  console.log('README.md: up to date');
}
