import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import {
  currentTenantScope,
  inTenant,
  inTenantOf,
  runAsSystem,
  runInTenant,
  tenantScopeKey,
} from './tenant-scope.ts';

describe('tenant scopes', () => {
  it('given runInTenant, then the scope is the tenant inside, also after an await, and none outside', async () => {
    expect(currentTenantScope()).toBeUndefined();
    const inside = await runInTenant('acme', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTenantScope();
    });
    expect(inside).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(currentTenantScope()).toBeUndefined();
  });

  it("given inTenant with a tenant, then it runs as that tenant; without one, in the caller's scope", () => {
    expect(inTenant('acme', () => tenantScopeKey())).toBe('tenant:acme');
    expect(inTenant(undefined, () => tenantScopeKey())).toBe('');
    expect(runAsSystem(() => inTenant(undefined, () => tenantScopeKey()))).toBe('system');
    expect(runAsSystem(() => inTenant('globex', () => tenantScopeKey()))).toBe('tenant:globex');
  });

  it("given inTenantOf, then an item naming a tenant runs as it, one naming none or an empty one in the caller's scope", () => {
    expect(inTenantOf({ metadata: { tenant: 'acme' } }, () => tenantScopeKey())).toBe(
      'tenant:acme',
    );
    expect(runAsSystem(() => inTenantOf({ metadata: {} }, () => tenantScopeKey()))).toBe('system');
    expect(
      runAsSystem(() => inTenantOf({ metadata: { tenant: '' } }, () => tenantScopeKey())),
    ).toBe('system');
  });

  it('given a malformed tenant name, then runInTenant and inTenant throw a ValidationError and run nothing', () => {
    let ran = false;
    for (const bad of ['', '-acme', 'a b', 'x'.repeat(64)]) {
      expect(() => inTenant(bad, () => (ran = true))).toThrow(ValidationError);
    }
    expect(ran).toBe(false);
  });
});
