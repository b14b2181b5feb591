import { defineConfig } from 'vitest/config';

// One run for the whole workspace. Tests sit beside the code they test and are named by
// tier: *.unit.test.ts (pure), *.int.test.ts (real PostgreSQL / PGlite / NATS),
// *.e2e.test.ts (real processes, HTTP). See docs/testing.md.
export default defineConfig({
  test: {
    include: [
      'packages/*/{src,examples}/**/*.test.ts',
      // The starter's own tests, run on the workspace's sources (cli.new.e2e.test.ts runs
      // them again in a service it generates).
      'packages/cli/templates/service/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'bench/src/**/*.test.ts',
    ],
    globalSetup: ['./scripts/test-services.ts'],
    pool: 'forks',
    // Two cores here: more workers only make the integration tests fight for them.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
