import { ValidationError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { readServiceSettings } from './service-settings.ts';

const base = {
  SHOP_SERVICE: 'orders',
  DATABASE_URL: 'postgres://root@127.0.0.1:5432/shop',
  NATS_URL: 'nats://127.0.0.1:4222',
};

describe('readServiceSettings', () => {
  it('given the two URLs and a service, then every role, the service’s own port and no namespace', () => {
    expect(readServiceSettings(base)).toMatchObject({
      service: 'orders',
      roles: ['command', 'query', 'processors'],
      natsUrls: ['nats://127.0.0.1:4222'],
      host: '127.0.0.1',
      port: 3003,
      namespace: undefined,
      replicas: 1,
      payments: { failureRate: 0, latencyMs: { min: 0, max: 0 } },
      paymentTimeoutMs: undefined,
      natsLogin: undefined,
      tenantSubjects: false,
      deadLetterLayout: 'shared',
    });
  });

  it('given a NATS user, password and tenant subjects (issue 13), then they are read', () => {
    expect(
      readServiceSettings({
        ...base,
        NATS_USER: 'orders',
        NATS_PASSWORD: 'secret',
        NATS_TENANT_SUBJECTS: 'true',
        NATS_DEAD_LETTERS: 'per-service',
      }),
    ).toMatchObject({
      natsLogin: { user: 'orders', password: 'secret' },
      tenantSubjects: true,
      deadLetterLayout: 'per-service',
    });
  });

  it('given a cluster, roles, a namespace and the gateway settings, then they are read', () => {
    expect(
      readServiceSettings({
        ...base,
        NATS_URL: 'nats://n1:4222, nats://n2:4222,nats://n3:4222',
        NATS_REPLICAS: '3',
        SHOP_ROLES: 'query',
        SHOP_NAMESPACE: 'staging',
        PORT: '0',
        SHOP_PAYMENT_FAILURE_RATE: '0.25',
        SHOP_PAYMENT_LATENCY_MS: '20-80',
        SHOP_PAYMENT_TIMEOUT_MS: '30000',
      }),
    ).toMatchObject({
      natsUrls: ['nats://n1:4222', 'nats://n2:4222', 'nats://n3:4222'],
      replicas: 3,
      roles: ['query'],
      namespace: 'staging',
      port: 0,
      payments: { failureRate: 0.25, latencyMs: { min: 20, max: 80 } },
      paymentTimeoutMs: 30_000,
    });
  });

  it('given nothing, then one ValidationError naming every missing setting', () => {
    const error = (() => {
      try {
        readServiceSettings({});
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path[0])).toEqual([
      'SHOP_SERVICE',
      'DATABASE_URL',
      'NATS_URL',
    ]);
  });

  it.each([
    ['SHOP_SERVICE', 'billing'],
    ['SHOP_ROLES', 'command,reader'],
    ['DATABASE_URL', 'mysql://x'],
    ['NATS_URL', 'nats://a:4222,'],
    ['PORT', '70000'],
    ['DATABASE_POOL_MAX', '0'],
    ['SHOP_NAMESPACE', 'Staging!'],
    ['NATS_REPLICAS', '2'],
    ['SHOP_PAYMENT_FAILURE_RATE', '1.5'],
    ['SHOP_PAYMENT_LATENCY_MS', '80-20'],
    ['SHOP_PAYMENT_TIMEOUT_MS', '5'],
    ['NATS_USER', 'orders'],
    ['NATS_PASSWORD', 'secret'],
    ['NATS_TENANT_SUBJECTS', 'yes'],
    ['NATS_DEAD_LETTERS', 'each'],
  ])('given %s=%s, then a ValidationError naming it', (name, value) => {
    expect(() => readServiceSettings({ ...base, [name]: value })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: [name] })] }),
    );
  });
});
