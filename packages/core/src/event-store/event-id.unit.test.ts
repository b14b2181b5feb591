import { describe, expect, it } from 'vitest';
import { isUuid, newEventId } from './event-id.ts';

describe('newEventId', () => {
  it('given 100,000 ids made in a burst, when compared, then each is a unique UUID v7 and they increase', () => {
    const ids = Array.from({ length: 100_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1000)) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7'); // version
      expect('89ab').toContain(id[19]); // RFC 9562 variant
    }
    // Same process: later ids sort after earlier ones, also within one millisecond.
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });
});
