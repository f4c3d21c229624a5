// Owns `npm run readme`: rewrites the README's generated parts from the source,
// so that the README, --help and the code cannot drift apart: the exit-code table
// (EXIT_CODES in src/errors.ts) and the troubleshooting table (KNOWN_CODES in
// src/flow/consent-errors.ts, which `explain` prints). test/unit/help.test.ts and
// test/unit/explain.test.ts fail when they differ.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');

/** A source file with no imports, as a module imported from memory. */
async function load(file) {
  const { outputFiles } = await build({ entryPoints: [join(root, file)], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

const { exitCodeMarkdown } = await load('src/errors.ts');
const { troubleshootingMarkdown } = await load('src/flow/consent-errors.ts');

const blocks = [
  ['<!-- exit-codes: generated from src/errors.ts by `npm run readme`; edit it there -->', '<!-- /exit-codes -->', exitCodeMarkdown()],
  ['<!-- troubleshooting: generated from src/flow/consent-errors.ts by `npm run readme`; edit it there -->', '<!-- /troubleshooting -->', troubleshootingMarkdown()],
];
const readme = readFileSync(readmePath, 'utf8');
let updated = readme;
for (const [begin, end, text] of blocks) {
  const start = updated.indexOf(begin);
  const stop = updated.indexOf(end);
  if (start === -1 || stop < start) throw new Error(`README.md has no ${begin} ... ${end} block`);
  updated = `${updated.slice(0, start)}${begin}\n${text}\n${updated.slice(stop)}`;
}
if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('README.md: generated tables updated');
} else {
  console.log('README.md: up to date');
}
