import { defineMessageStream, ValidationError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { orderContracts } from '../test-support/order-messages.ts';
import { natsAuthorizationConfig } from './nats-authorization-config.ts';
import { natsServicePermissions } from './nats-service-permissions.ts';

// Issue 13: the shapes natsServicePermissions makes for the transport's options. That they
// are enough and no more is for nats-service-permissions.{int,stress.int}.test.ts.
const orders = defineMessageStream({ service: 'orders' });
const catalog = defineMessageStream({ service: 'catalog' });

describe('natsServicePermissions', () => {
  it('given tenant subjects and a namespace, then it publishes its contracts for any tenant in the namespace', () => {
    const { publish, subscribe } = natsServicePermissions({
      service: 'orders',
      publishes: { stream: orders, contracts: orderContracts('orders') },
      tenantSubjects: true,
      subjectPrefix: 'staging',
    });
    expect(publish.allow).toContain('staging.orders.*.OrderPlaced');
    expect(publish.allow).toContain('staging.orders.*.OrderCancelled');
    expect(publish.allow.filter((s) => s.includes('orders.') && !s.startsWith('$'))).toHaveLength(
      2,
    );
    expect(subscribe.allow).toEqual(['_INBOX_orders.>']);
  });

  it('given no tenant subjects and no contracts, then it publishes its stream’s subjects as they are', () => {
    const { publish } = natsServicePermissions({
      service: 'orders',
      publishes: { stream: orders },
    });
    expect(publish.allow).toContain('orders.>');
    expect(publish.allow.some((s) => s.includes('*'))).toBe(false);
  });

  it('given a consumer, then its durable only, and no stream creation when createSourceStreams is false', () => {
    const { publish } = natsServicePermissions({
      service: 'history',
      consumes: [{ stream: catalog, durable: 'history_catalog' }],
      createSourceStreams: false,
    });
    expect(publish.allow).toEqual(
      expect.arrayContaining([
        '$JS.API.CONSUMER.CREATE.DUET_CATALOG.history_catalog',
        '$JS.API.CONSUMER.MSG.NEXT.DUET_CATALOG.history_catalog',
        '$JS.ACK.DUET_CATALOG.history_catalog.>',
        'duet.dead.history_catalog',
      ]),
    );
    expect(publish.allow).not.toContain('$JS.API.STREAM.CREATE.DUET_CATALOG');
    expect(
      publish.allow.some(
        (s) => /DELETE\.DUET_CATALOG|PURGE|UPDATE|>$/.test(s) && !s.startsWith('$JS.ACK'),
      ),
    ).toBe(false);
  });

  it.each([
    [{ service: 'or.ders' }],
    [{ service: '>' }],
    [{ service: 'orders', consumes: [{ stream: catalog, durable: 'a.*' }] }],
  ])('given %j, then a ValidationError', (options) => {
    expect(() => natsServicePermissions(options)).toThrow(ValidationError);
  });
});

describe('natsAuthorizationConfig', () => {
  const permissions = natsServicePermissions({ service: 'orders', publishes: { stream: orders } });

  it('quotes subjects (so $JS is no variable) and leaves an env password for the server to read', () => {
    const text = natsAuthorizationConfig([
      { user: 'orders', password: { env: 'NATS_PASSWORD_ORDERS' }, permissions },
    ]);
    expect(text).toContain('password: $NATS_PASSWORD_ORDERS');
    expect(text).toContain('"$JS.API.INFO"');
  });

  it.each([
    ['an empty publish allow list', { ...permissions, publish: { allow: [] } }],
    ['an empty subscribe allow list', { ...permissions, subscribe: { allow: [] } }],
  ])('given %s (nats-server reads it as everything), then a ValidationError', (_, bad) => {
    expect(() =>
      natsAuthorizationConfig([{ user: 'orders', password: 'x', permissions: bad }]),
    ).toThrow(ValidationError);
  });

  it('given a user twice or a bad env name, then a ValidationError', () => {
    const user = { user: 'orders', password: 'x', permissions };
    expect(() => natsAuthorizationConfig([user, user])).toThrow(ValidationError);
    expect(() => natsAuthorizationConfig([{ ...user, password: { env: 'NOT A NAME' } }])).toThrow(
      ValidationError,
    );
  });
});
