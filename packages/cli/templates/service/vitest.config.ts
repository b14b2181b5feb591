import { defineConfig } from 'vitest/config';

// An embedded PGlite takes a few seconds to open: more than Vitest's default 5 s on a busy
// machine, so the tests that open one get room (they wait on results, never on the clock).
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
