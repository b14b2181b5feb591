import { describe, expect, it } from 'vitest';
import { laterMigrationFunction } from './later-migration-function.ts';

describe('laterMigrationFunction', () => {
  it('given no call yet, then it may be tried and is not known to be there', () => {
    const fn = laterMigrationFunction(() => 0);
    expect(fn.mayTry()).toBe(true);
    expect(fn.present).toBe(false);
  });

  it('given a call found it missing, then it is not tried for 30 s, then tried again, and found there it stays', () => {
    let now = 1_000;
    const fn = laterMigrationFunction(() => now);
    fn.missing();
    expect(fn.mayTry()).toBe(false);
    now += 30_000;
    expect(fn.mayTry()).toBe(false);
    now += 1;
    expect(fn.mayTry()).toBe(true);
    fn.found();
    expect(fn.present).toBe(true);
    now += 1_000_000;
    expect(fn.mayTry()).toBe(true);
  });
});
