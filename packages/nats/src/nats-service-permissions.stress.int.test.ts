import {
  createInMemoryEventStore,
  createInMemoryInbox,
  createIntegrationConsumer,
  createRelay,
  type IntegrationConsumer,
  type RecordedEvent,
} from '@duet/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { natsServerBinaryFound, startNatsServer } from '../test-support/nats-server-process.ts';
import { orderContracts } from '../test-support/order-messages.ts';
import { natsAuthorizationConfig } from './nats-authorization-config.ts';
import { type NatsPermissions, natsServicePermissions } from './nats-service-permissions.ts';
import { openNatsTransport } from './open-nats-transport.ts';
import { testDeadLetters, testStream } from './testing/index.ts';

// Issue 13: the grants natsServicePermissions makes are the least the transport needs.
// Each grant of each user is dropped in turn, on a fresh nats-server 2.9, and the flow
// run again: catalog and orders relay both contracts, orders and history consume and
// ack, and each consumer dead-letters, lists and discards a forged message. The flow must
// fail at a step that uses the grant, except for the few named below that another
// service's earlier start makes unneeded here.

const binaryFound = natsServerBinaryFound();
if (!binaryFound) console.warn('skipping the NATS minimal-permissions test: no nats-server binary');

const orders = testStream('orders');
const catalog = testStream('catalog');
const letters = testDeadLetters();
const contracts = {
  orders: orderContracts(orders.service),
  catalog: orderContracts(catalog.service),
};
const common = { tenantSubjects: true, deadLetters: letters } as const;
const grants: Record<'catalog' | 'orders' | 'history', NatsPermissions> = {
  catalog: natsServicePermissions({
    ...common,
    service: 'catalog',
    publishes: { stream: catalog, contracts: contracts.catalog },
  }),
  orders: natsServicePermissions({
    ...common,
    service: 'orders',
    publishes: { stream: orders, contracts: contracts.orders },
    consumes: [{ stream: catalog, durable: 'orders_catalog' }],
  }),
  history: natsServicePermissions({
    ...common,
    service: 'history',
    consumes: [{ stream: orders, durable: 'history_orders' }],
  }),
};
// Streams made by whoever starts first: catalog makes the dead-letter stream and its own,
// orders its own, before the consumers of them start.
const unneededHere = new Set([
  `orders $JS.API.STREAM.CREATE.${catalog.name}`,
  `orders $JS.API.STREAM.CREATE.${letters.stream}`,
  `history $JS.API.STREAM.CREATE.${orders.name}`,
  `history $JS.API.STREAM.CREATE.${letters.stream}`,
]);
const password = 'not-a-secret';
const within = { timeout: 3_000 };

async function flow(users: typeof grants): Promise<string | null> {
  const server = await startNatsServer({
    jetstream: true,
    login: { user: 'admin', pass: password },
    config: natsAuthorizationConfig([
      ...Object.entries(users).map(([user, permissions]) => ({ user, password, permissions })),
      {
        user: 'admin',
        password,
        permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } },
      },
    ]),
  });
  const open: AsyncDisposable[] = [];
  let admin: NatsConnection | undefined;
  const step = async (name: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  };
  try {
    admin = await connect({ servers: server.url, user: 'admin', pass: password });
    const jsm = await jetstreamManager(admin);
    const transport = async (user: string) => {
      const opened = await openNatsTransport({
        ...common,
        servers: server.url,
        user,
        password,
        inboxPrefix: `_INBOX_${user}`,
        publishTimeoutMs: 2_000,
      });
      open.push(opened);
      return opened;
    };
    const relay = async (
      service: 'catalog' | 'orders',
      stream: typeof orders,
      t: Awaited<ReturnType<typeof transport>>,
    ) => {
      const store = createInMemoryEventStore();
      await store.append('order-1', [
        {
          type: 'OrderPlaced',
          data: { customer: 'ada', totalCents: 1 },
          metadata: { tenant: 'acme' },
        },
        { type: 'OrderCancelled', data: { reason: 'x' }, metadata: { tenant: 'acme' } },
      ]);
      const events: RecordedEvent[] = [];
      for await (const event of store.readAll()) events.push(event);
      await step(`${service} ensures its stream`, () => t.ensureStreams([stream]));
      await step(`${service} relays`, () =>
        createRelay({ contracts: contracts[service], transport: t, store }).publish(events, {
          signal: new AbortController().signal,
        }),
      );
    };
    const consume = async (
      user: string,
      durable: string,
      source: typeof orders,
      t: Awaited<ReturnType<typeof transport>>,
    ) => {
      const seen: unknown[] = [];
      const consumer: IntegrationConsumer = createIntegrationConsumer({
        name: durable,
        transport: t,
        inbox: createInMemoryInbox(),
        source,
        contracts: source === orders ? contracts.orders : contracts.catalog,
        handle: async (message) => {
          seen.push(message);
        },
      });
      open.push(consumer);
      const healthy = () => {
        if (consumer.lastError) throw new Error(consumer.lastError);
      };
      await step(`${user} starts its consumer`, () => consumer.start());
      await step(`${user} receives`, () =>
        vi.waitFor(() => {
          healthy();
          expect(seen).toHaveLength(2);
        }, within),
      );
      await step(`${user} acks`, () =>
        vi.waitFor(
          async () =>
            expect((await jsm.consumers.info(source.name, durable)).ack_floor.stream_seq).toBe(2),
          within,
        ),
      );
      const h = headers();
      h.set('Duet-Tenant', 'globex');
      await jetstream(admin!).publish(`${source.service}.acme.OrderPlaced`, '{}', {
        headers: h,
        msgID: 'forged',
      });
      await step(`${user} dead-letters and lists`, () =>
        vi.waitFor(async () => {
          healthy();
          expect(await consumer.deadLetters()).toHaveLength(1);
        }, within),
      );
      await step(`${user} discards`, async () => {
        await consumer.discard();
        expect(await consumer.deadLetters()).toHaveLength(0);
      });
    };
    const catalogTransport = await transport('catalog');
    await relay('catalog', catalog, catalogTransport);
    const ordersTransport = await transport('orders');
    await relay('orders', orders, ordersTransport);
    await consume('orders', 'orders_catalog', catalog, ordersTransport);
    await consume('history', 'history_orders', orders, await transport('history'));
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    for (const item of open.reverse())
      await Promise.resolve(item[Symbol.asyncDispose]()).catch(() => {});
    await admin?.close();
    await server.dispose();
  }
}

describe.skipIf(!binaryFound)(
  'natsServicePermissions grants only what is needed (nats-server 2.9)',
  () => {
    it('given every grant, then the flow runs; given any one grant dropped, then it fails at a step that uses it', async () => {
      expect(await flow(grants)).toBeNull();
      const outcomes: string[] = [];
      for (const [user, permissions] of Object.entries(grants) as [
        keyof typeof grants,
        NatsPermissions,
      ][]) {
        for (const kind of ['publish', 'subscribe'] as const) {
          for (const subject of permissions[kind].allow) {
            // Never an empty list: nats-server reads that as everything.
            const rest = permissions[kind].allow.filter((s) => s !== subject);
            const cut = {
              ...permissions,
              [kind]: { allow: rest.length > 0 ? rest : ['nothing.granted'] },
            };
            const failure = await flow({ ...grants, [user]: cut });
            const key = `${user} ${subject}`;
            outcomes.push(
              `${key}: ${unneededHere.has(key) ? (failure ?? 'unneeded here') : failure !== null ? 'needed' : 'NOT NEEDED'}`,
            );
          }
        }
      }
      expect(
        outcomes.filter((line) => !line.endsWith(': needed') && !line.endsWith(': unneeded here')),
      ).toEqual([]);
      expect(outcomes.filter((line) => line.endsWith(': unneeded here'))).toHaveLength(
        unneededHere.size,
      );
    }, 600_000);
  },
);
