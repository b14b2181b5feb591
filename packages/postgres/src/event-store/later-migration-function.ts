/** How long a store waits before calling a function it found missing again. */
const RETRY_MS = 30_000;

/**
 * What a store knows of a SQL function a later migration adds (009's quiet append, 010's
 * append across tenants): unknown until a call tells, then there or missing. A missing
 * one is tried again after 30 s, for a schema migrated meanwhile (a rolling upgrade, or
 * writers started while `migrate` ran).
 */
export interface LaterMigrationFunction {
  /** True unless a call found it missing less than 30 s ago. */
  mayTry(): boolean;
  /** True once a call found it there. */
  readonly present: boolean;
  found(): void;
  missing(): void;
}

export function laterMigrationFunction(now: () => number = Date.now): LaterMigrationFunction {
  let state: 'unknown' | 'present' | 'missing' = 'unknown';
  let missingSince = 0;
  return {
    mayTry: () => state !== 'missing' || now() - missingSince > RETRY_MS,
    get present() {
      return state === 'present';
    },
    found() {
      state = 'present';
    },
    missing() {
      state = 'missing';
      missingSince = now();
    },
  };
}
