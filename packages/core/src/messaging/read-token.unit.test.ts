import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { formatReadToken, parseReadToken } from './read-token.ts';

describe('read tokens', () => {
  it('given a write, when formatted and parsed, then the same service, stream and version come back', () => {
    const write = { service: 'orders', stream: 'order-o:1@x', streamVersion: 12 };
    const token = formatReadToken(write);
    expect(token).toBe('orders@order-o:1@x:12');
    expect(parseReadToken(token)).toEqual(write);
  });

  it.each([
    ['no service', 'order-o-1:3'],
    ['no version', 'orders@order-o-1'],
    ['version 0', 'orders@order-o-1:0'],
    ['an empty stream', 'orders@:3'],
    ['a service starting with a digit', '1orders@order-o-1:3'],
    ['more than 300 characters', `orders@${'x'.repeat(300)}:3`],
  ])('given a token with %s, when parsed, then ValidationError', (_, token) => {
    expect(() => parseReadToken(token)).toThrow(ValidationError);
    expect(() => parseReadToken(token)).toThrow('<service>@<stream>:<version>');
  });

  it('given a bad service or version, when formatted, then ValidationError naming each', () => {
    const error = (() => {
      try {
        formatReadToken({ service: 'the orders', stream: 'order-1', streamVersion: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      ['service'],
      ['streamVersion'],
    ]);
  });
});
