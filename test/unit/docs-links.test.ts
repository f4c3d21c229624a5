// The README and docs/ link to each other by file and heading: every relative link must reach a
// file that exists and, with a #fragment, a heading in it (GitHub's anchor rule), so that moving or
// renaming a section cannot leave a dead link behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? docs(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : []));
  return [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md'), ...docs(join(ROOT, 'docs'))];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The relative links of a Markdown text, outside code: [text](target). */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('links between the README and docs/', () => {
  it('GitHub anchors are made as GitHub makes them', () => {
    expect([...anchorsOf('# A `b` c\n## Teams: one store, shared with pass\n## x\n## x\n```\n# not\n```')]).toEqual(['a-b-c', 'teams-one-store-shared-with-pass', 'x', 'x-1']);
  });

  it.each(markdownFiles().map((file) => [relative(ROOT, file), file]))('%s: every relative link reaches a file and heading', (_, file) => {
    const dead: string[] = [];
    for (const link of linksOf(readFileSync(file, 'utf8'))) {
      const [path, fragment] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(target)) dead.push(`${link}: no such file`);
      else if (fragment !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(fragment)) dead.push(`${link}: no such heading`);
    }
    expect(dead).toEqual([]);
  });
});
