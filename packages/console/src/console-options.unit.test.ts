import { describe, expect, it } from 'vitest';
import {
  ConsoleOptionError,
  type DuetConsoleOptions,
  resolveConsoleOptions,
} from './console-options.ts';

const store = {
  name: 'orders',
  store: {} as DuetConsoleOptions['stores'][number]['store'],
};
const base: DuetConsoleOptions = { authenticate: async () => null, stores: [store] };
const saga = { name: 'placement', store: 'orders', category: 'placement', timeline: () => [] };

describe('console options: sagas', () => {
  it('given a saga on a known store, then it is kept', () => {
    expect(resolveConsoleOptions({ ...base, sagas: [saga] }).sagas).toEqual([saga]);
  });

  it.each([
    ['a saga on an unknown store', [{ ...saga, store: 'billing' }], /no store named "billing"/],
    ['two sagas of one name', [saga, saga], /not a unique/],
    ['a name with capitals', [{ ...saga, name: 'Placement' }], /not a unique/],
    [
      'no timeline function',
      [{ ...saga, timeline: 'steps' as never }],
      /timeline must be a function/,
    ],
  ])('given %s, then ConsoleOptionError says what is wrong', (_, sagas, message) => {
    expect(() => resolveConsoleOptions({ ...base, sagas })).toThrow(ConsoleOptionError);
    expect(() => resolveConsoleOptions({ ...base, sagas })).toThrow(message);
  });
});
