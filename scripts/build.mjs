// Owns `npm run build`: bundles src/ into the files of dist/ that bin/amz-token.js loads.
// tsc type-checks beforehand (package.json); esbuild only strips types.
// - dist/amz-token.cjs: every command (src/main.ts).
// - dist/amz-token-jobs.cjs: token, exec and env alone (src/main-jobs.ts), the commands that jobs
//   run once per call: about a third of the size, so a third of the reading and compiling.
// - dist/bundle-choice.cjs: which of the two serves argv (src/bundle-choice.ts), a few hundred bytes.
// - dist/help.txt and dist/help-widths.json: the top-level help for a pipe and for a terminal of each
//   width, rendered by dist/amz-token.cjs below; dist/help-widths.cjs reads the latter (src/help-widths.ts).
// - dist/library.cjs: the library for Node services (src/library.ts); dist/library.mjs re-exports
//   it for ES modules (one copy, one memory cache), and types/library.d.ts becomes its .d.cts and .d.mts.
// - dist/fast-path.cjs: `token` and `exec` with a token in the shared runtime cache, before either
//   bundle loads (src/token-fast.ts, src/exec-fast.ts); they fall through whenever not sure.
// A process loads one of the two bundles, never both: each holds its own copy of the modules they
// share (errors, output, config), so an error class is never compared across bundles.
//
// Why CommonJS bundles: start-up is most of what `status` and `--help` cost. Node 20 reads
// one file instead of ~150 (commander, chalk and date-fns are inlined) and never starts its
// ES module loader (~8 ms for an ESM entry, more per file). Modules that src/ loads with
// `await import()` stay lazy: esbuild runs their top level, and their require()s, on first use.
// (esbuild's code splitting would share those modules between chunks, but it writes ES modules only.)
//
// Kept external: packages with files of their own at run time (`open` spawns its bundled
// xdg-open, @napi-rs/keyring is a native binding), and the AWS SDK's SQS client: megabytes
// that only the rotation commands load (inlined, every run would parse them at start-up);
// nodemailer likewise (a megabyte that only `remind --send` loads).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outdir = join(root, 'dist');
/** Each file of dist/ that esbuild writes, and the module it is built from. */
const ENTRIES = [
  ['amz-token.cjs', "export { main, createRealDeps } from './main.js';\n"],
  ['amz-token-jobs.cjs', "export { main, createRealDeps } from './main-jobs.js';\n"],
  ['bundle-choice.cjs', "export { bundleFor, fastPathFor } from './bundle-choice.js';\n"],
  ['help-widths.cjs', "export { encodeHelpWidths, helpAtColumns } from './help-widths.js';\n"],
  ['fast-path.cjs', "export { fastToken } from './token-fast.js';\nexport { fastExec } from './exec-fast.js';\n"],
  ['library.cjs', "export { accessToken, tokenProvider, AmzTokenError, ExitCode } from './library.js';\n"],
];
const EXTERNAL = ['open', '@napi-rs/keyring', '@aws-sdk/client-sqs', 'nodemailer'];
/**
 * esbuild keeps `import()` of an external as it is, even in CommonJS output, and Node then
 * starts its ES module loader and lexes the CommonJS package to serve it (~10 ms, measured on
 * `token` with a cached access token). The keychain binding and node:child_process are CommonJS,
 * so their lazy imports become a lazy require() instead (through a one-line module that is
 * bundled, and so itself loaded lazily). `open` is an ES module and keeps its import().
 */
const LAZY_REQUIRE = /^(@napi-rs\/keyring|node:child_process|@aws-sdk\/client-sqs|nodemailer)$/;

const results = await Promise.all(
  ENTRIES.map(([file, contents]) =>
    build({
      absWorkingDir: root,
      stdin: { contents, resolveDir: join(root, 'src'), sourcefile: `entry of dist/${file}.ts`, loader: 'ts' },
      outfile: join(outdir, file),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      define: { __AMZ_TOKEN_VERSION__: JSON.stringify(pkg.version) },
      // Whitespace and syntax only: names stay, so AMZ_TOKEN_DEBUG stack traces stay readable.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none', // the licences go to dist/THIRD-PARTY-LICENSES.txt instead
      plugins: [startupShims()],
      metafile: true,
      write: false, // written below, each file atomically: tests of a running `npm test` may be spawning it
      logLevel: 'warning',
    }),
  ),
);


/**
 * Two imports that cost start-up time and that amz-token never uses:
 * - commander requires node:child_process (~7 ms: net, dgram, ...) only for executable
 *   subcommands, which amz-token has none of: it gets a proxy that loads it on first use.
 * - chalk detects colour support when loaded (node:tty, node:os, env checks) for its default
 *   instance; src/output.ts always makes its own `new Chalk({ level })`, so no detection.
 */
function startupShims() {
  return {
    name: 'amz-token-startup-shims',
    setup(b) {
      b.onResolve({ filter: LAZY_REQUIRE }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-require' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});\n`, loader: 'js' }));
      b.onResolve({ filter: /^node:child_process$/ }, (args) =>
        /node_modules\/commander\//.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
        contents: `let m; const load = () => (m ??= require('node:${args.path}'));\nmodule.exports = new Proxy({}, { get: (_, key) => load()[key] });\n`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^#supports-color$/ }, (args) =>
        /node_modules\/chalk\//.test(args.importer) ? { path: 'supports-color', namespace: 'no-color-detection' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'no-color-detection' }, () => ({
        contents: 'export default { stdout: false, stderr: false };\n',
        loader: 'js',
      }));
    },
  };
}

// The bundled packages' licences (MIT and alike ask for their notice to travel with the code).
const bundled = new Set();
for (const input of results.flatMap((result) => Object.keys(result.metafile.inputs))) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) bundled.add(match[1]);
}
const notices = [...bundled].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file shipped)';
  return `${name}@${version}\n${'-'.repeat(name.length + version.length + 1)}\n${text}\n`;
});

const outputs = new Map(ENTRIES.map(([file], i) => [join(outdir, file), results[i].outputFiles.find((f) => f.path === join(outdir, file))?.contents]));
for (const [file, contents] of outputs) if (!contents) throw new Error(`esbuild produced no ${file}`);
// The library's ES module face: Node gives a CommonJS module's exports to `import` as named exports
// when it can see them (esbuild writes them in the form cjs-module-lexer reads); this states them.
outputs.set(join(outdir, 'library.mjs'), "import library from './library.cjs';\nexport const { accessToken, tokenProvider, AmzTokenError, ExitCode } = library;\nexport default library;\n");
const types = readFileSync(join(root, 'types/library.d.ts'), 'utf8');
outputs.set(join(outdir, 'library.d.cts'), types);
outputs.set(join(outdir, 'library.d.mts'), types);
outputs.set(join(outdir, 'THIRD-PARTY-LICENSES.txt'), `dist/'s bundles hold these packages:\n\n${notices.join('\n')}`);
mkdirSync(outdir, { recursive: true });
for (const [file, contents] of outputs) {
  writeFileSync(`${file}.${process.pid}.tmp`, contents);
  renameSync(`${file}.${process.pid}.tmp`, file);
}
// The top-level help as a pipe or a file gets it (width 80, no colour), rendered by the bundle just
// written: bin/amz-token.js prints this file for a bare `--help` whose stdout is no terminal, instead
// of loading the whole CLI to render the same text (a terminal's width changes the wrapping: see
// dist/help-widths.json below). test/e2e/bundle.test.ts checks that both give the same bytes.
const helpFile = join(outdir, 'help.txt');
const rendered = spawnSync(process.execPath, ['-e', "require('./dist/amz-token.cjs').main(['--help'], require('./dist/amz-token.cjs').createRealDeps()).then((code) => process.stdout.write('', () => process.exit(code)))"], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1' },
});
if (rendered.status !== 0 || !rendered.stdout.startsWith('Usage: amz-token')) throw new Error(`rendering --help failed (${rendered.status}): ${rendered.stderr}`);
writeFileSync(`${helpFile}.${process.pid}.tmp`, rendered.stdout);
renameSync(`${helpFile}.${process.pid}.tmp`, helpFile);
outputs.set(helpFile, rendered.stdout);
// And as a terminal of each width up to HELP_WIDTHS columns gets it (commander wraps it to stdout's
// columns; wider terminals are rare, and the whole CLI renders theirs): dist/help-widths.json, which
// bin/amz-token.js decodes for a bare `--help` at a terminal. The renderer refuses a help with
// colours, and the encoder any text it cannot give back byte for byte.
const HELP_WIDTHS = 512;
const widthsFile = join(outdir, 'help-widths.json');
const widths = spawnSync(process.execPath, [join(root, 'scripts/render-help-widths.cjs'), String(HELP_WIDTHS)], { cwd: root, encoding: 'utf8' });
if (widths.status !== 0) throw new Error(`rendering --help for terminals failed (${widths.status}): ${widths.stderr}`);
writeFileSync(`${widthsFile}.${process.pid}.tmp`, widths.stdout);
renameSync(`${widthsFile}.${process.pid}.tmp`, widthsFile);
outputs.set(widthsFile, widths.stdout);
// Anything else in dist/ is left over from an older build and would end up in `npm pack`.
for (const name of readdirSync(outdir)) {
  // (Not another build's temporary file: two `npm test` may build at once.)
  if (!outputs.has(join(outdir, name)) && !/\.\d+\.tmp$/.test(name)) rmSync(join(outdir, name), { recursive: true, force: true });
}
