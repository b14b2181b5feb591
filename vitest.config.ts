import { configDefaults, defineConfig } from 'vitest/config';

// The "@duet/source" export condition points each @duet/* import at the package's src/*.ts
// instead of its built dist/, so tests need no build (see docs/packages.md). Vite resolves
// the test files' imports with `conditions`; node processes that tests start (children run
// with `--import tsx`, the `duet` bin, `npm start`) inherit it through NODE_OPTIONS.
const sourceCondition = '--conditions=@duet/source';
if (!process.env.NODE_OPTIONS?.includes(sourceCondition)) {
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, sourceCondition].filter(Boolean).join(' ');
}
// Vitest's own defaults (Vite's server conditions without "module": Node runs the workers'
// dependencies natively, and some packages' "module" builds only work bundled) plus ours.
const conditions = ['@duet/source', 'node', 'development|production'];

/** Where the tests are, for files ending in `suffix`. */
const tests = (suffix: string) => [
  `packages/*/{src,examples}/**/*.${suffix}`,
  // The starter's own tests, run on the workspace's sources (cli.new.e2e.test.ts runs
  // them again in a service it generates).
  `packages/cli/templates/service/src/**/*.${suffix}`,
  `apps/*/src/**/*.${suffix}`,
  `bench/src/**/*.${suffix}`,
];

// One run for the whole workspace. Tests sit beside the code they test and are named by
// tier: *.unit.test.ts (pure), *.int.test.ts (real PostgreSQL / PGlite / NATS),
// *.e2e.test.ts (real processes, HTTP). See docs/testing.md.
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Test files share their worker's module cache instead of a fresh process each: the
    // imports cost more than many of the tests (the pure ones: 26 s isolated, 9 s shared;
    // the whole suite: about 145 s of worker time). Two projects over the same files, so
    // `--project unit` runs the pure tests alone. The integration files close the PGlite
    // they shared after each file (scripts/test-file-setup.ts).
    isolate: false,
    projects: [
      { extends: true, test: { name: 'unit', include: tests('unit.test.ts') } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: tests('test.ts'),
          exclude: [...configDefaults.exclude, '**/*.unit.test.ts'],
          setupFiles: ['./scripts/test-file-setup.ts'],
        },
      },
    ],
    globalSetup: ['./scripts/test-services.ts'],
    pool: 'forks',
    // Two cores here, but most integration tests wait on PostgreSQL, NATS or a child
    // process: more workers fill those waits (CI: 826 s with 2, 558 s with 3).
    maxWorkers: 4,
    // A hang guard, not a speed limit: on a loaded 2-core machine (CI ran 1.6-2x slower
    // on some days) integration tests that take 12-18 s here came near 30 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
