import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import {
  comparePositions,
  isPosition,
  makePosition,
  positionParts,
  START_POSITION,
  toPosition,
} from './position.ts';

const half = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

describe('positions', () => {
  it('given two halves, when made, then the token is 16 + 16 hex digits', () => {
    expect(makePosition(0x2a1n, 7n)).toBe('00000000000002a1-0000000000000007');
    expect(START_POSITION).toBe('0000000000000000-0000000000000000');
  });

  it('given any halves, when made and split, then the halves come back', () => {
    fc.assert(
      fc.property(half, half, (transactionId, sequence) => {
        const position = makePosition(transactionId, sequence);
        expect(isPosition(position)).toBe(true);
        expect(positionParts(position)).toEqual({ transactionId, sequence });
      }),
    );
  });

  it('given any two positions, when compared, then string order is (transaction, sequence) order', () => {
    fc.assert(
      fc.property(half, half, half, half, (t1, s1, t2, s2) => {
        const expected = t1 !== t2 ? (t1 < t2 ? -1 : 1) : s1 !== s2 ? (s1 < s2 ? -1 : 1) : 0;
        expect(comparePositions(makePosition(t1, s1), makePosition(t2, s2))).toBe(expected);
      }),
    );
  });

  it('given a well-formed token, when checked from outside, then it comes back as a Position', () => {
    expect(toPosition('00000000000002a1-0000000000000007')).toBe(
      '00000000000002a1-0000000000000007',
    );
  });

  it.each([
    42,
    null,
    undefined,
    '',
    '2a1-7',
    '00000000000002A1-0000000000000007',
    '00000000000002a1-00000000000000070',
    '00000000000002a1_0000000000000007',
    ' 00000000000002a1-0000000000000007',
    '00000000000002a1-000000000000000g',
  ])('given junk %j, when checked from outside, then ValidationError names the subject', (junk) => {
    expect(isPosition(junk)).toBe(false);
    expect(() => toPosition(junk, 'minPosition')).toThrow(ValidationError);
    expect(() => toPosition(junk, 'minPosition')).toThrow('minPosition is invalid');
  });
});
