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

describe('parseBenchArgs: http, scale and lag (issue 14)', () => {
  it('given http alone, then 64 connections and 20,000 carts; --carts sets the carts', () => {
    expect(parseBenchArgs(['http'], {})).toMatchObject({ clients: 64, carts: 20_000 });
    expect(parseBenchArgs(['http', '--carts', '500'], {}).carts).toBe(500);
    expect(() => parseBenchArgs(['http', '--carts', '-1'], {})).toThrow(/--carts/);
  });

  it('given scale alone, then 1 and 4 processes; --processes 1,2,4 reads each count', () => {
    expect(parseBenchArgs(['scale'], {}).processes).toEqual([1, 4]);
    expect(parseBenchArgs(['scale', '--processes', '1, 2,4'], {}).processes).toEqual([1, 2, 4]);
    expect(() => parseBenchArgs(['scale', '--processes', '1,x'], {})).toThrow(/--processes/);
  });

  it('given lag without --rate, then no rate (the capacity decides); with --rate, that rate', () => {
    expect(parseBenchArgs(['lag'], {}).rate).toBeNull();
    expect(parseBenchArgs(['lag', '--rate', '300'], {}).rate).toBe(300);
  });

  it('given lag with --runner-process, then the runner runs apart; without it, in the bench', () => {
    expect(parseBenchArgs(['lag', '--runner-process'], {}).runnerProcess).toBe(true);
    expect(parseBenchArgs(['lag'], {}).runnerProcess).toBe(false);
  });
});
