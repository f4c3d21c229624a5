// Renders the top-level help with the whole CLI (dist/amz-token.cjs) as a terminal of each width
// from 0 to argv[2] - 1 columns gets it, and prints them encoded (src/help-widths.ts) as JSON, what
// scripts/build.mjs writes to dist/help-widths.json.
// commander reads the width and the colour support from process.stdout (isTTY, columns, hasColors()),
// so this process makes its stdout look like such a terminal; the help goes to deps.stdout.
'use strict';
const { main, createRealDeps } = require('../dist/amz-token.cjs');
const { encodeHelpWidths } = require('../dist/help-widths.cjs');

const widths = Number(process.argv[2]);
// commander's colour switches win over the terminal's colour support: out of the way.
for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR_FORCE']) delete process.env[name];
let colours = false;
Object.defineProperty(process.stdout, 'isTTY', { value: true });
process.stdout.hasColors = () => colours;
const deps = createRealDeps();
let written = '';
deps.stdout = { write: (chunk) => ((written += chunk), true), on: () => {} };

async function render(columns, withColours) {
  process.stdout.columns = columns;
  colours = withColours;
  written = '';
  const code = await main(['--help'], deps);
  if (code !== 0 || !written.startsWith('Usage: amz-token')) throw new Error(`rendering --help at ${columns} columns failed (exit ${code})`);
  return written;
}

(async () => {
  const texts = [];
  for (let columns = 0; columns < widths; columns++) {
    const plain = await render(columns, false);
    // bin/amz-token.js serves the same text whatever the terminal's colours: true while the help has none.
    if ((await render(columns, true)) !== plain) throw new Error(`the help at ${columns} columns has colours: bin/amz-token.js's terminal path would print them where the CLI would not, or the other way round`);
    texts.push(plain);
  }
  process.stdout.write(JSON.stringify(encodeHelpWidths(texts)));
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
