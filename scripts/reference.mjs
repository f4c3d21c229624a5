// Owns `npm run reference`: writes the command reference, docs/commands/*.md, from the command
// definitions that --help renders (src/commands/reference.ts). test/unit/reference.test.ts fails
// when the committed pages differ from what the code generates.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The TypeScript sources, bundled in memory (packages that only other commands load stay out).
const { outputFiles } = await build({
  absWorkingDir: root,
  entryPoints: ['src/commands/reference.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  external: ['open', '@napi-rs/keyring'],
  define: { __AMZ_TOKEN_VERSION__: JSON.stringify(version) },
  write: false,
  logLevel: 'warning',
});
const work = mkdtempSync(join(tmpdir(), 'amz-token-reference-'));
let reference;
try {
  writeFileSync(join(work, 'reference.cjs'), outputFiles[0].text);
  reference = createRequire(join(work, 'reference.cjs'))('./reference.cjs');
} finally {
  rmSync(work, { recursive: true, force: true });
}

const dir = join(root, reference.REFERENCE_DIR);
const pages = reference.commandReference();
mkdirSync(dir, { recursive: true });
let changed = 0;
for (const [name, text] of pages) {
  const file = join(dir, name);
  let old;
  try {
    old = readFileSync(file, 'utf8');
  } catch {}
  if (old === text) continue;
  writeFileSync(`${file}.${process.pid}.tmp`, text);
  renameSync(`${file}.${process.pid}.tmp`, file);
  changed++;
}
// A page whose command is gone.
for (const name of readdirSync(dir)) {
  if (name.endsWith('.md') && !pages.has(name)) {
    rmSync(join(dir, name));
    changed++;
  }
}
console.log(`${reference.REFERENCE_DIR}: ${pages.size} pages, ${changed ? `${changed} written or removed` : 'up to date'}`);
