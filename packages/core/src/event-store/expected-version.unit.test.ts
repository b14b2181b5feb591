import { describe, expect, it } from 'vitest';
import {
  type ExpectedVersion,
  isExpectedVersion,
  matchesExpectedVersion,
} from './expected-version.ts';

describe('matchesExpectedVersion', () => {
  it.each<[ExpectedVersion, number, boolean]>([
    ['any', 0, true],
    ['any', 5, true],
    ['no_stream', 0, true],
    ['no_stream', 1, false],
    ['stream_exists', 0, false],
    ['stream_exists', 3, true],
    [0, 0, true],
    [0, 1, false],
    [3, 3, true],
    [3, 2, false],
    [3, 4, false],
  ])('given expected %j and a stream at %i, then the match is %s', (expected, actual, matches) => {
    expect(matchesExpectedVersion(expected, actual)).toBe(matches);
  });
});

describe('isExpectedVersion', () => {
  it.each(['any', 'no_stream', 'stream_exists', 0, 1, 2 ** 40])(
    'given %j, then it is valid',
    (value) => {
      expect(isExpectedVersion(value)).toBe(true);
    },
  );

  it.each(['ANY', 'latest', -1, 1.5, Number.NaN, 2 ** 60, '3', null, undefined, {}])(
    'given %j, then it is not',
    (value) => {
      expect(isExpectedVersion(value)).toBe(false);
    },
  );
});
