// Owns how vitest finds and runs the tests; scripts/test.sh owns the environment they run in.
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
