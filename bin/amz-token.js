#!/usr/bin/env node
// The executable: builds the real dependencies, runs the CLI, exits with its code.
// CommonJS (see bin/package.json), like the bundle it loads: Node then never starts its
// ES module loader, which would cost more start-up time than all of amz-token's own code.
'use strict';
enableCompileCache();
const argv = process.argv.slice(2);
const choice = require('../dist/bundle-choice.cjs');
// `token` and `exec` with a token in the shared runtime cache: served before any bundle loads, by a
// few KB that decide as the full path would, or fall through to it (src/token-fast.ts, exec-fast.ts).
const fastPath = choice.fastPathFor(argv);
const bareHelp = (argv[0] === '--help' || argv[0] === '-h') && argv.length === 1;
if (bareHelp && !mayBeTerminal(1)) {
  // The same bytes the whole CLI would render for a pipe or a file, rendered at build time (scripts/build.mjs).
  printAndExit(require('node:fs').readFileSync(require('node:path').join(__dirname, '../dist/help.txt'), 'utf8'));
} else if (bareHelp) {
  helpAtTerminal();
} else if (fastPath === 'token') {
  const text = require('../dist/fast-path.cjs').fastToken(argv, process.env);
  if (text !== undefined) printAndExit(text);
  else runCli();
} else if (fastPath === 'exec') {
  const terminals = terminalsNow();
  const job = require('../dist/fast-path.cjs').fastExec(argv, process.env);
  // The fast path writes nothing on stdout: nothing to flush, so no process.stdout (node:net) to make.
  if (job !== undefined)
    job.then((code) => {
      closeGoneTerminals(terminals, code);
      process.exit(code);
    });
  else runCli(terminals);
} else {
  runCli();
}

function runCli(terminals = terminalsNow()) {
  // token, exec and env (what jobs run, once per call) load a bundle of their own, a third of the size.
  const { main, createRealDeps } = require(`../dist/${choice.bundleFor(argv)}`);
  main(argv, createRealDeps()).then((code) => {
    closeGoneTerminals(terminals, code);
    // Flush stdout before exiting: a pipe reader must see the whole result.
    process.stdout.write('', () => process.exit(code));
  });
}

/**
 * A bare `--help` whose stdout may be a terminal: commander wraps the help to process.stdout.columns,
 * so this prints the text the whole CLI renders at that width, rendered at build time for every
 * width up to a few hundred columns (dist/help-widths.json, src/help-widths.ts). The help has no
 * colours (the build refuses one that has), so the colour setting changes nothing. Anything else
 * (no terminal after all, a wider one, an unknown width) is left to the whole CLI.
 */
function helpAtTerminal() {
  const terminals = terminalsNow();
  const stdout = process.stdout;
  const text = stdout.isTTY ? require('../dist/help-widths.cjs').helpAtColumns(require('../dist/help-widths.json'), stdout.columns) : undefined;
  if (text === undefined) return runCli(terminals);
  printAndExit(text, terminals.includes(1));
  closeGoneTerminals(terminals, 0);
}

/**
 * Which of stdin, stdout and stderr are terminals now. At exit, Node sets each one's mode back,
 * and aborts (a native assertion, SIGABRT) if its terminal has gone meanwhile: closeGoneTerminals() closes
 * those. Pipes, files and /dev/null (cron, CI, $(...)) are told by fstat, without node:tty (which
 * loads node:net); only what may be a terminal is asked of node:tty.
 */
function terminalsNow() {
  const maybe = [0, 1, 2].filter((fd) => mayBeTerminal(fd));
  if (!maybe.length) return [];
  const { isatty } = require('node:tty');
  return maybe.filter((fd) => isatty(fd));
}

/** Closes each of `terminals` that has gone; exits with `code` at once if stdout's has (nothing can be flushed to it). */
function closeGoneTerminals(terminals, code) {
  if (!terminals.length) return;
  // A closed terminal (SIGHUP: the window or tmux session went) answers EIO, and so no
  // longer counts as one. Closing its descriptors makes Node skip restoring its mode.
  const { isatty } = require('node:tty');
  const { closeSync } = require('node:fs');
  const gone = terminals.filter((fd) => !isatty(fd));
  for (const fd of gone) {
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
  if (gone.includes(1)) process.exit(code);
}

/**
 * Whether fd may be a terminal, told without node:tty (which loads node:net): a pipe, a file, a
 * socket or /dev/null (character device 1:3) is not one; any other character device may be.
 */
function mayBeTerminal(fd) {
  try {
    const info = require('node:fs').fstatSync(fd);
    return info.isCharacterDevice() && info.rdev !== 259; // makedev(1, 3), /dev/null on Linux
  } catch {
    // Closed (EBADF): no terminal to restore.
    return false;
  }
}

/**
 * The fast path's output, written to fd 1 directly: process.stdout would load node:tty or
 * node:net first. A reader that went away (EPIPE, or EIO from a closed terminal) is no error, as
 * in the full path; a non-blocking pipe (EAGAIN) is waited for.
 */
function printAndExit(text, toTerminal = false) {
  const { writeSync } = require('node:fs');
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      if (error.code === 'EPIPE' || (error.code === 'EIO' && toTerminal)) break;
      throw error;
    }
  }
  process.exitCode = 0;
}

/**
 * Node 22.1 and later keep V8's compiled code of the bundle between runs, so that each start
 * reads it instead of compiling the bundle anew (measured by `npm run bench`). In
 * $XDG_CACHE_HOME/amz-token/compile-cache (else ~/.cache/amz-token/...), the user's own folder: a
 * shared one such as Node's default in /tmp would let another user put code there. It holds
 * compiled code of amz-token's own files and nothing else (no secret, no config); deleting it is
 * always safe. NODE_DISABLE_COMPILE_CACHE=1 turns it off. Where it cannot be written (a read-only
 * home) Node carries on without it. Node 20 has no such API: it compiles every time.
 */
function enableCompileCache() {
  const { enableCompileCache: enable } = require('node:module');
  if (typeof enable !== 'function') return;
  const { join } = require('node:path');
  try {
    // homedir() throws where HOME is unset and the user has no passwd entry: then no cache.
    const base = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
    enable(join(base, 'amz-token', 'compile-cache'));
  } catch {
    // Never a reason not to run.
  }
}
