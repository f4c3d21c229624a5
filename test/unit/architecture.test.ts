// The shape of src/ (STYLE.md): imports go downwards only, commander stays in
// src/commands/, and nothing below the commands reaches up into them.
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { importsOf, sourceFiles, SRC } from '../support/import-graph.js';

const files = sourceFiles();
const name = (file: string) => relative(SRC, file);
const graph = new Map(files.map((file) => [file, importsOf(file).filter((edge) => edge.target.startsWith('/'))]));

/** A cycle through `graph`, as file names, or undefined. Type-only imports count: a circle of types is still a tangle. */
function findCycle(): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'visiting') return [...stack.slice(stack.indexOf(file)), file].map(name);
    state.set(file, 'visiting');
    stack.push(file);
    for (const edge of graph.get(file) ?? []) {
      const cycle = visit(edge.target);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of files) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the module graph of src/', () => {
  it('reads the imports it checks (the reader itself works)', () => {
    const cli = graph.get(`${SRC}/cli.ts`)!.map((edge) => name(edge.target));
    expect(cli).toContain('commands/program.ts');
    const status = importsOf(`${SRC}/commands/status.ts`);
    expect(status.some((edge) => edge.kind === 'dynamic' && edge.target.endsWith('checks/live-check.ts'))).toBe(true);
    expect(status.some((edge) => edge.kind === 'type')).toBe(true);
  });

  it('has no import cycle, counting type-only and dynamic imports', () => {
    expect(findCycle()).toBeUndefined();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const a = `${SRC}/__a.ts`;
    const b = `${SRC}/__b.ts`;
    files.push(a, b);
    graph.set(a, [{ target: b, kind: 'type' }]);
    graph.set(b, [{ target: a, kind: 'dynamic' }]);
    try {
      expect(findCycle()).toEqual(['__a.ts', '__b.ts', '__a.ts']);
    } finally {
      files.splice(files.indexOf(a), 2);
      graph.delete(a);
      graph.delete(b);
    }
  });

  it('nothing outside src/commands/ imports from it, except the entry points (src/cli.ts, the bundles\' entries and bin\'s choice between them)', () => {
    const ENTRIES = ['cli.ts', 'main.ts', 'main-jobs.ts', 'bundle-choice.ts'];
    const upward = files
      .filter((file) => !name(file).startsWith('commands/') && !ENTRIES.includes(name(file)))
      .flatMap((file) => graph.get(file)!.filter((edge) => name(edge.target).startsWith('commands/')).map((edge) => `${name(file)} -> ${name(edge.target)}`));
    expect(upward).toEqual([]);
  });

  it('only src/commands/ knows about commander', () => {
    const outside = files
      .filter((file) => !name(file).startsWith('commands/'))
      .filter((file) => importsOf(file).some((edge) => edge.target === 'commander' || edge.target.startsWith('@commander-js/')))
      .map(name);
    expect(outside).toEqual([]);
  });

  it('keeps each source file under about 250 lines, plain templates aside', async () => {
    const { readFileSync } = await import('node:fs');
    const TEMPLATES = ['completion/scripts.ts'];
    const long = files
      .filter((file) => !TEMPLATES.includes(name(file)))
      .map((file) => [name(file), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 260);
    expect(long).toEqual([]);
  });
});
