import { ValidationError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { parseRoles } from './service-roles.ts';

describe('parseRoles', () => {
  it('given nothing, then every role', () => {
    expect(parseRoles(undefined)).toEqual(['command', 'query', 'processors']);
    expect(parseRoles(' ')).toEqual(['command', 'query', 'processors']);
  });

  it('given a list, then those roles once each', () => {
    expect(parseRoles('query')).toEqual(['query']);
    expect(parseRoles('command, processors,command')).toEqual(['command', 'processors']);
  });

  it('given an unknown role or an empty entry, then a ValidationError naming SHOP_ROLES', () => {
    for (const text of ['read', 'command,', 'query,,processors']) {
      expect(() => parseRoles(text)).toThrow(ValidationError);
      expect(() => parseRoles(text)).toThrow(/SHOP_ROLES/);
    }
  });
});
