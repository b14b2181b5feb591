import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './parse-bench-args.ts';

describe('parseBenchArgs: --shapes command and --tenants', () => {
  it('given no --shapes, then all five append shapes run, no command shape and no tenants', () => {
    const args = parseBenchArgs(['append'], {});
    expect(args.shapes).toHaveLength(5);
    expect(args.command).toBe(false);
    expect(args.tenants).toEqual([]);
  });

  it('given --shapes 64x1,command, then the command shape runs beside 64x1', () => {
    const args = parseBenchArgs(['append', '--shapes', '64x1,command'], {});
    expect(args.shapes).toEqual([{ writers: 64, batch: 1 }]);
    expect(args.command).toBe(true);
  });

  it('given --shapes command alone, then no append shape runs', () => {
    const args = parseBenchArgs(['append', '--shapes', 'command'], {});
    expect(args.shapes).toEqual([]);
    expect(args.command).toBe(true);
  });

  it('given --tenants 1,8, then both counts are read; a count that is not a positive whole number is refused', () => {
    expect(parseBenchArgs(['append', '--tenants', '1, 8'], {}).tenants).toEqual([1, 8]);
    expect(() => parseBenchArgs(['append', '--tenants', '0'], {})).toThrow(/--tenants/);
  });
});
