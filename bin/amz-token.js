#!/usr/bin/env node
// The executable: builds the real dependencies, runs the CLI, exits with its code.
// CommonJS (see bin/package.json), like the bundle it loads: Node then never starts its
// ES module loader, which would cost more start-up time than all of amz-token's own code.
'use strict';
const { main, createRealDeps } = require('../dist/amz-token.cjs');

main(process.argv.slice(2), createRealDeps()).then((code) => {
  // Flush stdout before exiting: a pipe reader must see the whole result.
  process.stdout.write('', () => process.exit(code));
});
