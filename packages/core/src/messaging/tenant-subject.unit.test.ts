import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { fromTransportMessage, toTransportMessage } from './integration-message.ts';
import { subjectMatches } from './subject-matches.ts';
import { tenantFilter, tenantTokenOf, withoutTenant, withTenant } from './tenant-subject.ts';
import type { TransportMessage } from './transport.ts';

// Issue 13, section 2: tenants in subjects, `<service>.<tenant>.<Type>`.
describe('tenant subjects', () => {
  it('puts the tenant after the service, `_` without one, and takes it out again', () => {
    expect(withTenant('orders.OrderPlaced', 'acme')).toBe('orders.acme.OrderPlaced');
    expect(withTenant('orders.OrderPlaced', undefined)).toBe('orders._.OrderPlaced');
    expect(withTenant('orders.OrderPlaced', '')).toBe('orders._.OrderPlaced');
    expect(withoutTenant('orders.acme.OrderPlaced')).toEqual({
      subject: 'orders.OrderPlaced',
      tenant: 'acme',
    });
    expect(withoutTenant('orders._.OrderPlaced')).toEqual({
      subject: 'orders.OrderPlaced',
      tenant: '',
    });
    expect(withoutTenant('orders.OrderPlaced')).toBeNull();
  });

  it('widens filters to every tenant, so one tenant of one service and one contract of every tenant are plain wildcards', () => {
    expect(tenantFilter('orders.>')).toBe('orders.*.>');
    expect(tenantFilter('orders.OrderPlaced')).toBe('orders.*.OrderPlaced');
    expect(tenantFilter('orders.>', 'acme')).toBe('orders.acme.>');
    const wire = withTenant('orders.OrderPlaced', 'acme');
    expect(subjectMatches('orders.acme.>', wire)).toBe(true);
    expect(subjectMatches('orders.globex.>', wire)).toBe(false);
    expect(subjectMatches('orders.*.OrderPlaced', wire)).toBe(true);
    // A subject without a tenant token is not in a tenant stream.
    expect(subjectMatches('orders.*.>', 'orders.OrderPlaced')).toBe(false);
  });

  it.each(['a.b', '*', '>', 'a b', '_', '-x', 'x'.repeat(65), 'é'])(
    'refuses tenant %j, which is not one subject token, with a ValidationError',
    (tenant) => {
      expect(() => tenantTokenOf(tenant)).toThrow(ValidationError);
      expect(() => withTenant('orders.OrderPlaced', tenant)).toThrow(ValidationError);
    },
  );
});

describe('a consumed message with a tenant in its subject', () => {
  const wire = (tenant: string | undefined, header: string | undefined): TransportMessage => {
    const message = toTransportMessage({
      id: 'e-1',
      service: 'orders',
      type: 'OrderPlaced',
      subject: 'orders.OrderPlaced',
      version: 1,
      stream: 'order-1',
      streamVersion: 1,
      previousVersion: 0,
      position: '1',
      occurredAt: '2026-12-05T00:00:00.000Z',
      data: {},
      metadata: header === undefined ? {} : { tenant: header },
    });
    return tenant === undefined ? message : { ...message, tenant };
  };

  it('given the subject and the Duet-Tenant header agree, then message.tenant is that tenant', () => {
    expect(fromTransportMessage(wire('acme', 'acme')).tenant).toBe('acme');
    expect(fromTransportMessage(wire('', undefined)).tenant).toBeUndefined();
    // A transport without tenants in subjects: the header alone.
    expect(fromTransportMessage(wire(undefined, 'acme')).tenant).toBe('acme');
  });

  it.each([
    ['acme', 'globex'],
    ['acme', undefined],
    ['', 'acme'],
  ])(
    'given subject tenant %j and header %j, then it is a ValidationError naming Duet-Tenant',
    (subject, header) => {
      expect(() => fromTransportMessage(wire(subject, header))).toThrow(ValidationError);
      try {
        fromTransportMessage(wire(subject, header));
      } catch (error) {
        expect((error as ValidationError).issues.map((i) => i.path)).toEqual([['Duet-Tenant']]);
      }
    },
  );
});
