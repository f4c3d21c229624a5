#!/usr/bin/env node
// The executable: builds the real dependencies, runs the CLI, exits with its code.
// CommonJS (see bin/package.json), like the bundle it loads: Node then never starts its
// ES module loader, which would cost more start-up time than all of amz-token's own code.
'use strict';
const { main, createRealDeps } = require('../dist/amz-token.cjs');

const { isatty } = require('node:tty');
const { closeSync } = require('node:fs');

// Which of stdin, stdout and stderr are terminals now: at exit, Node sets each one's
// mode back, and aborts (a native assertion, SIGABRT) if its terminal has gone meanwhile.
const terminals = [0, 1, 2].filter((fd) => isatty(fd));

main(process.argv.slice(2), createRealDeps()).then((code) => {
  // A closed terminal (SIGHUP: the window or tmux session went) answers EIO, and so no
  // longer counts as one. Closing its descriptors makes Node skip restoring its mode.
  const gone = terminals.filter((fd) => !isatty(fd));
  for (const fd of gone) {
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
  if (gone.includes(1)) process.exit(code);
  // Flush stdout before exiting: a pipe reader must see the whole result.
  process.stdout.write('', () => process.exit(code));
});
