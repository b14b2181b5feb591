import { describe, expect, it } from 'vitest';
import * as adapters from './adapters.ts';
import * as core from './index.ts';

describe('the two doors of @duet/core', () => {
  it('given the adapter helpers, then they are in @duet/core/adapters and not in @duet/core', () => {
    for (const name of Object.keys(adapters)) {
      expect(Object.keys(core), `${name} leaks into the public barrel`).not.toContain(name);
    }
    expect(Object.keys(adapters)).toEqual(
      expect.arrayContaining(['checkAppend', 'makePosition', 'positionParts', 'isUuid']),
    );
  });
});
