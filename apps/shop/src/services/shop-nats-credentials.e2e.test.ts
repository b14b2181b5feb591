import { randomBytes } from 'node:crypto';
import { natsAuthorizationConfig } from '@duet/nats';
import { type NatsServerProcess, natsServerBinaryFound, startNatsServer } from '@duet/nats/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  findBalanceProblems,
  findUnsettledOrders,
} from '../../test-support/find-balance-problems.ts';
import { placeOrders } from '../../test-support/place-orders.ts';
import { addStockedProduct, registerShoppers } from '../../test-support/seed-shop.ts';
import {
  type ServiceDeployment,
  type ServiceProcess,
  spawnService,
} from '../../test-support/spawn-service.ts';
import { shopServices } from './open-shop-service.ts';
import { shopNatsUsers } from './shop-nats-users.ts';

// Issue 13: the whole shop, each service its own process logged in to NATS as its own
// user (shopNatsUsers for the test's namespace) with tenants in subjects, on a nats-server
// of the test's own that knows no other users but an admin for the checks. Orders settle
// through the saga and every consumer, the books balance, and every stored subject has
// the tenant token.
const databaseUrl = inject('databaseUrl');
const binaryFound = natsServerBinaryFound();
const poll = { timeout: 90_000, interval: 250 };
const passwordOf = (service: string) => `pw-${service}-${randomBytes(4).toString('hex')}`;

describe.skipIf(databaseUrl === null || !binaryFound)(
  'the shop under per-service NATS users',
  () => {
    const namespace = `t_${randomBytes(5).toString('hex')}`;
    const passwords = Object.fromEntries(shopServices.map((s) => [s, passwordOf(s)]));
    const admin = { user: 'admin', pass: passwordOf('admin') };
    let server: NatsServerProcess;
    let client: pg.Client;
    const running = new Map<string, ServiceProcess>();
    let deployment: ServiceDeployment;

    beforeAll(async () => {
      server = await startNatsServer({
        jetstream: true,
        config: natsAuthorizationConfig([
          ...shopNatsUsers({ namespace, tenantSubjects: true }),
          {
            user: admin.user,
            password: admin.pass,
            permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } },
          },
        ]),
        env: Object.fromEntries(
          shopServices.map((s) => [
            `NATS_PASSWORD_${s.toUpperCase().replaceAll('-', '_')}`,
            passwords[s]!,
          ]),
        ),
        login: admin,
      });
      deployment = { databaseUrl: databaseUrl as string, natsUrl: server.url, namespace };
      const started = await Promise.allSettled(
        shopServices.map(async (service) => {
          running.set(
            service,
            await spawnService(deployment, service, {
              NATS_USER: service,
              NATS_PASSWORD: passwords[service]!,
              NATS_TENANT_SUBJECTS: 'true',
              NATS_DEAD_LETTERS: 'per-service',
            }),
          );
        }),
      );
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      client = new pg.Client({ connectionString: databaseUrl as string });
      await client.connect();
    }, 180_000);

    afterAll(async () => {
      await Promise.all([...running.values()].map((service) => service.stop('SIGKILL')));
      if (client) {
        const { rows } = await client.query<{ nspname: string }>(
          'SELECT nspname FROM pg_namespace WHERE nspname LIKE $1',
          [`${namespace}\\_%`],
        );
        for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
        await client.end();
      }
      await server?.dispose();
    }, 60_000);

    it('given every service logged in as its own NATS user with tenant subjects, when orders are placed, then they settle, every service balances, and every stored subject has the tenant token', async () => {
      const url = (service: string) => running.get(service)!.url;
      await addStockedProduct(url('catalog'), {
        sku: 'mug',
        name: 'Mug',
        priceCents: 500,
        quantity: 4,
      });
      await registerShoppers(url('customers'), [0, 1]);
      const planned = Array.from({ length: 6 }, (_, i) => ({
        orderId: `cred-${i}`,
        shopper: i % 2,
        sku: 'mug',
        quantity: 1,
        unitPriceCents: 500,
      }));
      // Retried until the orders service has the mug's price from the catalog (over NATS).
      await placeOrders(url('orders'), planned).done;
      const orderIds = planned.map((order) => order.orderId);
      await expect.poll(() => findUnsettledOrders(client, namespace, orderIds), poll).toEqual([]);
      await expect
        .poll(
          () =>
            findBalanceProblems(client, namespace, {
              orderIds,
              skus: ['mug'],
              customerIds: ['shopper-0', 'shopper-1'],
            }),
          poll,
        )
        .toEqual([]);

      const nc = await connect({ servers: server.url, ...admin });
      try {
        const jsm = await jetstreamManager(nc);
        const subjects: string[] = [];
        for (const service of ['orders', 'customers', 'catalog', 'payments']) {
          const info = await jsm.streams.info(
            `${namespace.toUpperCase()}_${service.toUpperCase()}`,
            {
              subjects_filter: '>',
            },
          );
          expect(info.config.subjects).toEqual([`${namespace}.${service}.*.>`]);
          subjects.push(...Object.keys(info.state.subjects ?? {}));
        }
        expect(subjects.length).toBeGreaterThan(0);
        // `<namespace>.<service>.<tenant>.<Type>`. What a request over HTTP caused carries
        // its principal's tenant (`shop`); what the saga and the services' reactors append
        // in answer to messages carries none yet (`_`): they do not pass the consumed
        // message's tenant on to the commands they send (docs/nats.md, not covered yet).
        const shape = new RegExp(`^${namespace}\\.[a-z]+\\.(shop|_)\\.[A-Za-z]+$`);
        expect(subjects.filter((s) => !shape.test(s))).toEqual([]);
        expect(subjects).toEqual(
          expect.arrayContaining([
            `${namespace}.orders.shop.OrderPlaced`,
            `${namespace}.customers.shop.CustomerRegistered`,
            `${namespace}.catalog.shop.ProductAdded`,
          ]),
        );
      } finally {
        await nc.close();
      }
    }, 240_000);
  },
);
