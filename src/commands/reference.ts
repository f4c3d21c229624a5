// The command reference in docs/commands/: one Markdown page per command, rendered from what
// `--help` prints, so the two cannot drift. The commands are found the way an operator finds
// them (the "Commands:" list of each --help), so a newly registered command gets its page with
// nothing to maintain here. Not part of the CLI: scripts/reference.mjs writes the pages
// (`npm run reference`) and test/unit/reference.test.ts fails when they are stale.

import { PassThrough } from 'node:stream';
import { parseCommandLine } from './program.js';
import { COMMANDS } from './table.js';

/** The folder of the pages, from the repository's root. */
export const REFERENCE_DIR = 'docs/commands';

const GENERATED = '<!-- generated from src/commands/ by `npm run reference`: edit the command there, then run it -->';

/** What `amz-token <path> --help` prints, at commander's default width (80 columns), with no environment. */
export function helpText(path: readonly string[]): string {
  let text = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const problems = new PassThrough();
  let errors = '';
  problems.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  // commander reads the width from process.stdout itself when that is a terminal: not here.
  const tty = process.stdout.isTTY;
  process.stdout.isTTY = false;
  try {
    const parsed = parseCommandLine([...path, '--help'], { env: {}, stdout: sink, stderr: problems }, COMMANDS);
    if (!('exit' in parsed) || parsed.exit !== 0) throw new Error(`amz-token ${path.join(' ')} --help failed: ${errors}`);
  } finally {
    process.stdout.isTTY = tty;
  }
  return text;
}

/** The subcommands a help text lists under "Commands:" (without commander's `help`). */
export function subcommandsIn(help: string): Array<{ name: string; summary: string }> {
  const section = help.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  const entries: Array<{ name: string; summary: string }> = [];
  for (const line of section.split('\n')) {
    const entry = /^ {2}([a-z][a-z-]*)\S*(?: \S+)*? {2,}(.*)$/.exec(line) ?? /^ {2}([a-z][a-z-]*)/.exec(line);
    if (entry) entries.push({ name: entry[1]!, summary: entry[2]?.trim() ?? '' });
    else if (entries.length && /^\s{4,}\S/.test(line)) entries[entries.length - 1]!.summary += ` ${line.trim()}`;
  }
  return entries.filter((entry) => entry.name !== 'help');
}

interface CommandPage {
  path: string[];
  help: string;
  summary: string;
  children: string[][];
}

/** Every command, depth first in the order --help lists them. */
function commandPages(): CommandPage[] {
  const pages: CommandPage[] = [];
  const visit = (path: string[], summary: string) => {
    const help = helpText(path);
    const subcommands = subcommandsIn(help);
    const page: CommandPage = { path, help, summary, children: subcommands.map((s) => [...path, s.name]) };
    if (path.length) pages.push(page);
    for (const sub of subcommands) visit([...path, sub.name], sub.summary);
  };
  visit([], '');
  return pages;
}

const fileOf = (path: readonly string[]) => `${path.join('-')}.md`;

/** The pages, by file name inside REFERENCE_DIR: README.md (the index) and one per command. */
export function commandReference(): Map<string, string> {
  const pages = commandPages();
  const files = new Map<string, string>();
  const link = (path: readonly string[]) => `[\`amz-token ${path.join(' ')}\`](${fileOf(path)})`;
  for (const page of pages) {
    const sub = page.children.length ? `\nSubcommands: ${page.children.map(link).join(', ')}.\n` : '';
    const parent = page.path.length > 1 ? ` · part of ${link(page.path.slice(0, -1))}` : '';
    files.set(
      fileOf(page.path),
      `${GENERATED}\n\n# amz-token ${page.path.join(' ')}\n\n${page.summary}\n${sub}\n\`\`\`text\n$ amz-token ${page.path.join(' ')} --help\n${page.help.trimEnd()}\n\`\`\`\n\n[All commands](README.md)${parent}\n`,
    );
  }
  const rows = pages.map((page) => `| ${link(page.path)} | ${page.summary.replace(/\|/g, '\\|')} |`);
  files.set(
    'README.md',
    `${GENERATED}\n\n# amz-token command reference\n\nOne page per command, each what \`amz-token <command> --help\` prints.\n\n| command | what it does |\n|---|---|\n${rows.join('\n')}\n\n\`\`\`text\n$ amz-token --help\n${helpText([]).trimEnd()}\n\`\`\`\n`,
  );
  return files;
}
