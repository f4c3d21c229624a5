#!/usr/bin/env node
// The executable: builds the real dependencies, runs the CLI, exits with its code.
import { main } from '../dist/cli.js';
import { createRealDeps } from '../dist/deps.js';

const code = await main(process.argv.slice(2), createRealDeps());
// Flush stdout before exiting: a pipe reader must see the whole result.
process.stdout.write('', () => process.exit(code));
