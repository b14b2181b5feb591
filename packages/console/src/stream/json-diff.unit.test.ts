import { describe, expect, it } from 'vitest';
import { jsonDiff } from './json-diff.ts';

describe('jsonDiff', () => {
  it('given two states, when compared, then each changed, added and removed leaf is named by its path', () => {
    expect(
      jsonDiff(
        { status: 'cart', lines: [{ sku: 'tea', qty: 1 }], note: 'x' },
        {
          status: 'placed',
          lines: [
            { sku: 'tea', qty: 2 },
            { sku: 'mug', qty: 1 },
          ],
          total: 5,
        },
      ),
    ).toEqual([
      { path: 'status', kind: 'changed', before: 'cart', after: 'placed' },
      { path: 'lines[0].qty', kind: 'changed', before: 1, after: 2 },
      { path: 'lines[1]', kind: 'added', after: { sku: 'mug', qty: 1 } },
      { path: 'note', kind: 'removed', before: 'x' },
      { path: 'total', kind: 'added', after: 5 },
    ]);
    expect(jsonDiff(null, { a: 1 })).toEqual([
      { path: '(state)', kind: 'changed', before: null, after: { a: 1 } },
    ]);
    expect(jsonDiff({ a: [1] }, { a: [1] })).toEqual([]);
  });
});
