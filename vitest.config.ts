// Owns how vitest finds and runs the tests; scripts/test.sh owns the environment they run in.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // What scripts/build.mjs puts into the bundle, so in-process tests see the same --version.
  define: { __AMZ_TOKEN_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous because e2e tests launch a real browser; no test may rely on being fast.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Separate processes: native keychain bindings and child browsers stay out of each other's way.
    pool: 'forks',
    // The machines (developers' and CI's) have 2 cores.
    maxWorkers: 2,
  },
});
