import {
  createInMemoryEventStore,
  createInMemoryInbox,
  createIntegrationConsumer,
  createRelay,
  type IntegrationMessage,
  type RecordedEvent,
  toTransportMessage,
} from '@duet/core';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type NatsServerProcess,
  natsServerBinaryFound,
  startNatsServer,
} from '../test-support/nats-server-process.ts';
import { orderContracts } from '../test-support/order-messages.ts';
import { natsAuthorizationConfig } from './nats-authorization-config.ts';
import { type NatsPermissions, natsServicePermissions } from './nats-service-permissions.ts';
import { openNatsTransport } from './open-nats-transport.ts';
import { testDeadLetters, testStream } from './testing/index.ts';

// Issue 13, section 2: a service's NATS credentials cannot publish or subscribe outside
// its own subjects. A nats-server of our own runs the config natsServicePermissions makes
// for three services: `orders` publishes and consumes `catalog`, `history` consumes
// `orders`, `catalog` publishes. Each probe below is also run with `orders`' permissions
// loosened by `>`, where it must get through: so a probe that cannot fail fails the test.

const binaryFound = natsServerBinaryFound();
if (!binaryFound) console.warn('skipping the NATS permission tests: no nats-server binary');

const orders = testStream('orders');
const catalog = testStream('catalog');
// Each service its own dead letters: they are listed and removed by sequence.
const lettersOf = {
  orders: testDeadLetters(),
  history: testDeadLetters(),
  catalog: testDeadLetters(),
};
const ordersContracts = orderContracts(orders.service);
const catalogContracts = orderContracts(catalog.service);
const durables = { history: 'history_orders', orders: 'orders_catalog' } as const;

const permissions = {
  // #region service-permissions
  orders: natsServicePermissions({
    service: orders.service,
    // Its relay: these contracts' subjects, on this stream.
    publishes: { stream: orders, contracts: ordersContracts },
    // Its durable consumers: which stream, under which name.
    consumes: [{ stream: catalog, durable: durables.orders }],
    // As the transport's options.
    tenantSubjects: true,
    deadLetters: lettersOf.orders,
  }),
  // #endregion service-permissions
  history: natsServicePermissions({
    tenantSubjects: true,
    deadLetters: lettersOf.history,
    service: 'history',
    consumes: [{ stream: orders, durable: durables.history }],
  }),
  catalog: natsServicePermissions({
    tenantSubjects: true,
    deadLetters: lettersOf.catalog,
    service: catalog.service,
    publishes: { stream: catalog, contracts: catalogContracts },
  }),
};
const loosened: NatsPermissions = {
  publish: { allow: [...permissions.orders.publish.allow, '>'] },
  subscribe: { allow: [...permissions.orders.subscribe.allow, '>'] },
};
const password = 'not-a-secret';
// A reader of one tenant of one service: the subject shape makes it one wildcard.
const acmeReader: NatsPermissions = {
  publish: { allow: ['$JS.API.INFO'] },
  subscribe: { allow: [`${orders.service}.acme.>`, '_INBOX_acme.>'] },
};
const users = [
  { user: 'acme_reader', password, permissions: acmeReader },
  { user: 'orders', password, permissions: permissions.orders },
  { user: 'orders_loose', password, permissions: loosened },
  { user: 'history', password, permissions: permissions.history },
  { user: 'catalog', password, permissions: permissions.catalog },
  {
    user: 'admin',
    password,
    permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } },
  },
];
const inboxOf = {
  orders: `_INBOX_${orders.service}`,
  history: '_INBOX_history',
  catalog: `_INBOX_${catalog.service}`,
};

describe.skipIf(!binaryFound)('per-service NATS credentials on nats-server 2.9 (issue 13)', () => {
  let server: NatsServerProcess;
  let admin: NatsConnection;
  const login = (user: string, inboxPrefix?: string) =>
    connect({ servers: server.url, user, pass: password, ...(inboxPrefix ? { inboxPrefix } : {}) });
  const transportOf = (user: keyof typeof inboxOf) =>
    openNatsTransport({
      tenantSubjects: true,
      deadLetters: lettersOf[user],
      servers: server.url,
      user,
      password,
      inboxPrefix: inboxOf[user],
    });
  const messagesIn = async (stream: string) =>
    (await (await jetstreamManager(admin)).streams.info(stream)).state.messages;

  beforeAll(async () => {
    server = await startNatsServer({
      jetstream: true,
      config: natsAuthorizationConfig(users),
      login: { user: 'admin', pass: password },
    });
    admin = await login('admin');
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await server?.dispose();
  });

  it('given the generated users, when orders relays events with tenants, then history consumes and acks them, sees message.tenant, and dead-letters a message whose header forges another tenant', async () => {
    await using catalogTransport = await transportOf('catalog');
    await catalogTransport.ensureStreams([catalog]);
    await using ordersTransport = await transportOf('orders');
    await ordersTransport.ensureStreams([orders]);
    await using historyTransport = await transportOf('history');

    const seen: IntegrationMessage[] = [];
    const consumer = createIntegrationConsumer({
      name: durables.history,
      transport: historyTransport,
      inbox: createInMemoryInbox(),
      source: orders,
      contracts: ordersContracts,
      handle: async (message) => {
        seen.push(message);
      },
    });
    await consumer.start();
    try {
      const store = createInMemoryEventStore();
      for (const [stream, tenant] of [
        ['order-1', 'acme'],
        ['order-2', 'globex'],
        ['order-3', undefined],
      ] as const) {
        await store.append(stream, [
          {
            type: 'OrderPlaced',
            data: { customer: 'ada', totalCents: 100 },
            ...(tenant ? { metadata: { tenant } } : {}),
          },
        ]);
      }
      const events: RecordedEvent[] = [];
      for await (const event of store.readAll()) events.push(event);
      const relay = createRelay({ contracts: ordersContracts, transport: ordersTransport, store });
      await relay.publish(events, { signal: new AbortController().signal });

      await vi.waitFor(() => expect(seen).toHaveLength(3), { timeout: 15_000 });
      expect(seen.map((m) => [m.stream, m.tenant, m.subject])).toEqual([
        ['order-1', 'acme', `${orders.service}.OrderPlaced`],
        ['order-2', 'globex', `${orders.service}.OrderPlaced`],
        ['order-3', undefined, `${orders.service}.OrderPlaced`],
      ]);
      // The tenant travelled in the subject: the stream holds one per tenant token.
      const jsm = await jetstreamManager(admin);
      for (const token of ['acme', 'globex', '_']) {
        const stored = await jsm.streams.getMessage(orders.name, {
          last_by_subj: `${orders.service}.${token}.OrderPlaced`,
        });
        expect(stored?.subject).toBe(`${orders.service}.${token}.OrderPlaced`);
      }
      // Acked: the durable's ack floor reaches the stream's last message.
      await vi.waitFor(
        async () =>
          expect(
            (await jsm.consumers.info(orders.name, durables.history)).ack_floor.stream_seq,
          ).toBe(3),
        { timeout: 15_000 },
      );

      // A publisher with rights on acme's subject claims globex in the header.
      const forged = toTransportMessage({
        ...seen[0]!,
        id: 'forged-1',
        stream: 'order-9',
        metadata: { tenant: 'globex' },
      });
      const raw = await login('orders', inboxOf.orders);
      try {
        const h = headers();
        for (const [key, value] of Object.entries(forged.headers)) h.set(key, value);
        await jetstream(raw).publish(`${orders.service}.acme.OrderPlaced`, forged.payload, {
          headers: h,
          msgID: forged.id,
        });
      } finally {
        await raw.close();
      }
      await vi.waitFor(async () => expect(await consumer.deadLetters()).toHaveLength(1), {
        timeout: 15_000,
      });
      const [letter] = await consumer.deadLetters();
      expect(letter!.message.id).toBe('forged-1');
      expect(letter!.error).toMatch(/Duet-Tenant/);
      expect(seen).toHaveLength(3);
    } finally {
      await consumer.stop();
    }
  }, 60_000);

  it('given a user allowed only orders.acme.>, then it hears acme’s messages and not globex’s, and a stream filter on orders.acme.> holds acme’s only', async () => {
    await using ordersTransport = await transportOf('orders');
    await ordersTransport.ensureStreams([orders]);
    const reader = await login('acme_reader', '_INBOX_acme');
    try {
      const refused = [`${orders.service}.globex.>`, `${orders.service}.>`].map((subject) => {
        const sub = reader.subscribe(subject);
        return { subject, sub };
      });
      const heard: string[] = [];
      let heardAcme: () => void = () => {};
      const acmeArrived = new Promise<void>((resolve) => {
        heardAcme = resolve;
      });
      reader.subscribe(`${orders.service}.acme.>`, {
        callback: (_error, msg) => {
          heard.push(msg.subject);
          if (msg.subject.includes('.acme.')) heardAcme();
        },
      });
      await reader.flush();
      expect(refused.map(({ sub }) => sub.isClosed())).toEqual([true, true]);
      // globex's first: on one connection the server delivers in order, so once acme's is
      // here, globex's would have been too.
      await ordersTransport.publish(
        ['globex', 'acme'].map((tenant) => ({
          id: `tenant-reader-${tenant}`,
          subject: `${orders.service}.OrderPlaced`,
          headers: { 'Duet-Tenant': tenant },
          payload: '{}',
        })),
      );
      await acmeArrived;
      expect(heard).toEqual([`${orders.service}.acme.OrderPlaced`]);
    } finally {
      await reader.close();
    }
    const jsm = await jetstreamManager(admin);
    const acmeInStream = Object.values(
      (await jsm.streams.info(orders.name, { subjects_filter: `${orders.service}.acme.>` })).state
        .subjects ?? {},
    ).reduce((sum, n) => sum + n, 0);
    const all = (await jsm.streams.info(orders.name)).state.messages;
    expect(acmeInStream).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(acmeInStream);
    const filtered = await jsm.consumers.add(orders.name, {
      durable_name: 'acme_only',
      filter_subject: `${orders.service}.acme.>`,
      ack_policy: AckPolicy.Explicit,
    });
    expect(filtered.num_pending).toBe(acmeInStream);
  }, 60_000);

  // What `user`'s credentials get through, against the catalog's stream and subjects.
  const probe = async (user: 'orders' | 'orders_loose') => {
    const outcome: Record<string, 'refused' | 'allowed'> = {};
    const nc = await login(user, inboxOf.orders);
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc, { timeout: 2_000 });
    const attempt = async (name: string, action: () => Promise<unknown>) => {
      try {
        await action();
        outcome[name] = 'allowed';
      } catch {
        outcome[name] = 'refused';
      }
    };
    try {
      // A catalog message, so that reads have something to get.
      const catalogTransport = await transportOf('catalog');
      await catalogTransport.ensureStreams([catalog]);
      await catalogTransport.publish([
        {
          id: `probe-${user}`,
          subject: `${catalog.service}.OrderPlaced`,
          headers: { 'Duet-Tenant': 'acme' },
          payload: '{}',
        },
      ]);
      await catalogTransport.close();
      const before = await messagesIn(catalog.name);
      await attempt('publish to the catalog subject', () =>
        js.publish(`${catalog.service}.acme.OrderPlaced`, '{}', { msgID: `spoof-${user}` }),
      );
      // Core publish, no ack: whether it landed is read from the stream's count below.
      nc.publish(`${catalog.service}.globex.OrderPlaced`, '{}');
      await nc.flush();
      // A publish of its own after the probes: stored after anything the probes got in.
      const catalogAgain = await transportOf('catalog');
      await catalogAgain.publish([
        {
          id: `marker-${user}`,
          subject: `${catalog.service}.OrderPlaced`,
          headers: {},
          payload: '{}',
        },
      ]);
      await catalogAgain.close();
      outcome['messages landed in the catalog stream'] =
        (await messagesIn(catalog.name)) > before + 1 ? 'allowed' : 'refused';

      for (const subject of [`${catalog.service}.>`, '_INBOX.>', `${inboxOf.history}.>`, '>']) {
        const sub = nc.subscribe(subject);
        await nc.flush();
        outcome[`subscribe to ${subject}`] = sub.isClosed() ? 'refused' : 'allowed';
        if (!sub.isClosed()) sub.unsubscribe();
      }
      await attempt('create a consumer on the catalog stream', () =>
        jsm.consumers.add(catalog.name, {
          durable_name: `spy_${user}`,
          ack_policy: AckPolicy.Explicit,
        }),
      );
      await attempt('get a message from the catalog stream', () =>
        jsm.streams.getMessage(catalog.name, { seq: 1 }),
      );
      await attempt('read from the catalog stream through a durable not its own', async () => {
        // Orders reads the catalog through `orders_catalog` only; this one the admin made.
        await (await jetstreamManager(admin)).consumers
          .add(catalog.name, { durable_name: durables.history, ack_policy: AckPolicy.Explicit })
          .catch(() => undefined);
        const consumer = await js.consumers.get(catalog.name, durables.history);
        const message = await consumer.next({ expires: 1_000 });
        if (!message) throw new Error('nothing read');
      });
      // History's dead letters, with one in: its stream made by its own transport.
      const historyTransport = await transportOf('history');
      await historyTransport.ensureStreams([]);
      await historyTransport.close();
      const history = lettersOf.history;
      await jetstream(admin).publish(`${history.subjectPrefix}.${durables.history}`, '{}');
      await attempt('get a dead letter of another service', () =>
        jsm.streams.getMessage(history.stream, { seq: 1 }),
      );
      await attempt('write a dead letter for another service', () =>
        js.publish(`${history.subjectPrefix}.${durables.history}`, '{}'),
      );
      await attempt('remove a dead letter of another service', () =>
        jsm.streams.deleteMessage(history.stream, 1),
      );
      for (const stream of [catalog.name, orders.name, history.stream]) {
        await attempt(`purge stream ${stream === orders.name ? 'orders (its own)' : stream}`, () =>
          jsm.streams.purge(stream),
        );
      }
      await attempt('delete the catalog stream', () => jsm.streams.delete(catalog.name));
      await attempt('change its own stream', () =>
        jsm.streams.update(orders.name, { max_msgs: 1 }),
      );
    } finally {
      await nc.close();
    }
    return outcome;
  };

  it('given the orders credentials, then it cannot publish to, subscribe to, read, consume, purge or delete the catalog stream, nor listen on other inboxes, nor read, write or remove another service’s dead letters', async () => {
    await using ordersTransport = await transportOf('orders');
    await ordersTransport.ensureStreams([orders]);
    const outcome = await probe('orders');
    expect(Object.entries(outcome).filter(([, got]) => got === 'allowed')).toEqual([]);
    expect(Object.keys(outcome)).toHaveLength(17);
  }, 60_000);

  it('given the same probes with permissions loosened by >, then every one gets through (the probes can fail)', async () => {
    const outcome = await probe('orders_loose');
    expect(Object.entries(outcome).filter(([, got]) => got === 'refused')).toEqual([]);
  }, 60_000);
});
