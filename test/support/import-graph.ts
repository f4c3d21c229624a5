// The import statements of src/, read as text: enough to check the module
// graph's shape (start-up imports, cycles, layering) without a bundler.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const SRC = resolve(import.meta.dirname, '../../src');

export interface ImportEdge {
  /** An absolute .ts path for a relative import, else the package name. */
  target: string;
  kind: 'value' | 'type' | 'dynamic' | 'reexport';
}

/** Every import of a source file: static (value or type), re-exports and `await import()`. */
export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const edges: ImportEdge[] = [];
  const resolveSpec = (spec: string) => (spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
  for (const match of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)';/gms)) {
    edges.push({ target: resolveSpec(match[2]!), kind: match[1] ? 'type' : 'value' });
  }
  for (const match of text.matchAll(/^import\s+'([^']+)';/gm)) edges.push({ target: resolveSpec(match[1]!), kind: 'value' });
  for (const match of text.matchAll(/^export\s+(?:type\s+)?[^'"]*?from\s+'([^']+)';/gms)) edges.push({ target: resolveSpec(match[1]!), kind: 'reexport' });
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) edges.push({ target: resolveSpec(match[1]!), kind: 'dynamic' });
  return edges;
}

/** Every .ts file under src/. */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}
