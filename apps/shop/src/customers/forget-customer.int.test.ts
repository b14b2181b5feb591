import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  AuthorizationError,
  FORGOTTEN,
  PersonalDataForgottenError,
  type RecordedEvent,
} from '@duet/core';
import { type NatsTransport, openNatsTransport } from '@duet/nats';
import { deleteStreams, testDeadLetters, uniqueService } from '@duet/nats/testing';
import type { SqlExecutor } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import { shopStreams } from '../contracts/message-streams.ts';
import { OrderPlacedV1 } from '../contracts/order-placement-contracts.ts';
import { OrderHistory } from '../order-history/order-history-queries.ts';
import { createOrderHistoryService } from '../order-history/order-history-service.ts';
import { createServiceRelays } from '../order-history/service-relays.test-support.ts';
import {
  ChangeShippingAddress,
  ForgetCustomer,
  RegisterCustomer,
  RenameCustomer,
} from './customer-commands.ts';
import { GetMyProfile } from './customer-queries.ts';
import { FORGOTTEN_ADDRESS } from './customer-subject.ts';
import { createCustomersService, customerKeysSchema } from './customers-service.ts';
import { waitUntil } from './saga-messages.test-support.ts';

// Issue 13, section 3 (scenario S12): canary strings seeded as two customers' personal
// data, one customer forgotten, every projection rebuilt; then a byte scan of every table
// of the run's schemas (events, snapshots, read models, dead letters, inboxes), of every
// message in the run's NATS streams (dead letters included) and of every log line finds
// none of the forgotten customer's canaries, while the other customer's still read back.

const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');
const backends = [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: databaseUrl !== null },
];

const staff = { actor: 'sam', roles: ['staff'] };
const canary = (what: string) => `CANARY${what}${randomBytes(6).toString('hex')}`;

/** A customer's personal data, every value a canary of its own. */
function personalData(customerId: string) {
  const c = {
    name: canary('name'),
    email: `${canary('email').toLowerCase()}@example.com`,
    line1: canary('line1'),
    city: canary('city'),
    postalCode: canary('z'),
    rename: canary('rename'),
    newLine1: canary('moved'),
  };
  return {
    canaries: Object.values(c),
    register: RegisterCustomer.create({
      customerId,
      name: c.name,
      email: c.email,
      shippingAddress: { line1: c.line1, city: c.city, postalCode: c.postalCode, country: 'FR' },
    }),
    rename: RenameCustomer.create({ customerId, name: c.rename }),
    move: ChangeShippingAddress.create({
      customerId,
      shippingAddress: { line1: c.newLine1, city: c.city, postalCode: c.postalCode, country: 'FR' },
    }),
    finalName: c.rename,
    finalLine1: c.newLine1,
  };
}

/** Every row of every table in the schemas starting with `prefix`, as text. */
async function databaseText(executor: SqlExecutor, prefix: string): Promise<string> {
  const { rows: tables } = await executor.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema LIKE $1 AND table_type = 'BASE TABLE'`,
    [`${prefix}%`],
  );
  const parts: string[] = [];
  for (const { schema, name } of tables) {
    const { rows } = await executor.query<{ dump: string | null }>(
      `SELECT string_agg(t::text, E'\\n') AS dump FROM "${schema}"."${name}" AS t`,
    );
    parts.push(`-- ${schema}.${name}\n${rows[0]?.dump ?? ''}`);
  }
  return parts.join('\n');
}

/** Every stored message (subject, headers, payload) of the named JetStream streams, as text. */
async function streamsText(servers: string, names: readonly string[]): Promise<string> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const parts: string[] = [];
    for (const name of names) {
      const info = await jsm.streams.info(name).catch(() => null);
      if (!info) continue;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await jsm.streams.getMessage(name, { seq }).catch(() => null);
        if (!message) continue;
        const headers = message.header
          ? [...message.header.keys()].map((k) => `${k}: ${message.header!.values(k).join(',')}`)
          : [];
        parts.push(`${message.subject}\n${headers.join('\n')}\n${message.string()}`);
      }
    }
    return parts.join('\n');
  } finally {
    await nc.close();
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of source) all.push(item);
  return all;
}

describe.each(backends)('forgetting a customer on $kind', ({ kind, available }) => {
  it.runIf(available && natsUrl !== null)(
    'given canaries as two customers’ personal data, when one is forgotten and every projection rebuilt, then no byte of the database, NATS or the logs holds its canaries and the other’s still read back',
    { timeout: 180_000 },
    async () => {
      const servers = natsUrl!;
      await using db = await openTestDatabase({ kind, migrate: false });
      const prefix = `${db.schema}_`;
      const logLines: string[] = [];
      const logger = pino(
        { level: 'trace' },
        new Writable({
          write(chunk, _encoding, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      );
      const namespace = uniqueService('t_forget');
      const deadLetters = testDeadLetters();
      const streams = shopStreams({ prefix: `T_${namespace.toUpperCase()}` });
      const streamNames = [...Object.values(streams).map((s) => s.name), deadLetters.stream];
      const transport: NatsTransport = await openNatsTransport({
        servers,
        subjectPrefix: namespace,
        deadLetters,
        logger,
      });
      const customers = await createCustomersService({
        executor: db.executor,
        schema: `${prefix}customers`,
        transport,
        streams,
        logger: logger.child({ service: 'customers' }),
      });
      const history = await createOrderHistoryService({
        executor: db.executor,
        schema: `${prefix}order_history`,
        customerKeysSchema: customerKeysSchema(`${prefix}customers`),
        transport,
        streams,
        logger: logger.child({ service: 'order_history' }),
      });
      try {
        await customers.start();
        await history.start();
        const [gone, stays] = [
          `gone${randomBytes(3).toString('hex')}`,
          `stays${randomBytes(3).toString('hex')}`,
        ];
        const a = personalData(gone);
        const b = personalData(stays);
        for (const person of [a, b]) {
          await customers.commands.send(person.register, staff);
          await customers.commands.send(person.rename, staff);
          await customers.commands.send(person.move, staff);
        }
        // Orders of both, as the orders service publishes them: the history copies names onto them.
        const relays = createServiceRelays(transport, streams);
        for (const customerId of [gone, stays]) {
          await relays.publish(OrderPlacedV1, `order-o-${customerId}`, {
            orderId: `o-${customerId}`,
            customerId,
            lines: [{ sku: 'tea', quantity: 1, unitPriceCents: 450 }],
            totalCents: 450,
          });
        }
        const historyOf = async (customerId: string) =>
          (await history.ask(OrderHistory, { customerId, limit: 20 }, staff)).orders[0];
        for (const person of [a, b]) {
          const customerId = person.register.data.customerId;
          await waitUntil(async () => {
            const order = await historyOf(customerId);
            return (
              order?.customerName === person.finalName &&
              order.shippingAddress?.line1 === person.finalLine1
            );
          }, `the history to show ${customerId}'s name and address`);
        }
        // The scan sees plain text where there is some: before the forget, the read models hold A's.
        expect(await databaseText(db.executor, prefix)).toContain(a.finalName);

        // Only staff forget; then the customer's key is gone and nothing personal is written for it.
        await expect(
          customers.commands.send(ForgetCustomer.create({ customerId: gone }), {
            actor: gone,
            roles: ['customer'],
          }),
        ).rejects.toBeInstanceOf(AuthorizationError);
        const forgot = await customers.commands.send(
          ForgetCustomer.create({ customerId: gone }),
          staff,
        );
        expect(forgot.events.map((event) => event.data)).toEqual([
          expect.objectContaining({ subject: `customer-${gone}`, by: 'sam' }),
        ]);
        await expect(
          customers.commands.send(
            RenameCustomer.create({ customerId: gone, name: 'Back again' }),
            staff,
          ),
        ).rejects.toBeInstanceOf(PersonalDataForgottenError);

        await waitUntil(
          async () => (await historyOf(gone))?.customerName === FORGOTTEN,
          'the history to drop the forgotten name',
        );
        // Every projection and the relay rebuilt from the start, and caught up.
        const names = [...new Set((await customers.processors.status()).map((s) => s.name))];
        for (const name of names) await customers.processors.rebuild(name);
        await waitUntil(async () => {
          const status = await customers.processors.status();
          return status.every((s) => s.lagEvents === 0 && s.health === 'healthy');
        }, 'every processor to catch up after the rebuild');

        // Reads: the forgotten customer's fields are forgotten, everything else works.
        const goneEvents = await collect(customers.store.readStream(`customer-${gone}`));
        expect(goneEvents.map((event) => event.type)).toEqual([
          'CustomerRegistered',
          'CustomerRenamed',
          'ShippingAddressChanged',
        ]);
        expect((goneEvents[0] as RecordedEvent).data).toMatchObject({
          customerId: gone,
          name: FORGOTTEN,
          email: FORGOTTEN,
          shippingAddress: FORGOTTEN_ADDRESS,
          creditLimitCents: expect.any(Number),
        });
        const goneProfile = await customers.queries.ask(
          GetMyProfile,
          {},
          { actor: gone, roles: ['customer'] },
        );
        expect(goneProfile).toMatchObject({ name: FORGOTTEN, email: FORGOTTEN });
        expect(await historyOf(gone)).toMatchObject({
          customerName: FORGOTTEN,
          shippingAddress: FORGOTTEN_ADDRESS,
          totalCents: 450,
        });
        // The co-subject, in the same tables, streams and relay: readable through the normal reads.
        const staysProfile = await customers.queries.ask(
          GetMyProfile,
          {},
          { actor: stays, roles: ['customer'] },
        );
        expect(staysProfile).toMatchObject({
          name: b.finalName,
          email: b.register.data.email,
          shippingAddress: { line1: b.finalLine1 },
        });
        expect(await historyOf(stays)).toMatchObject({
          customerName: b.finalName,
          shippingAddress: { line1: b.finalLine1 },
        });
        const staysEvents = await collect(customers.store.readStream(`customer-${stays}`));
        expect(staysEvents[0]?.data).toEqual({
          ...b.register.data,
          creditLimitCents: expect.any(Number),
        });

        // The byte scan.
        const database = await databaseText(db.executor, prefix);
        const broker = await streamsText(servers, streamNames);
        const logs = logLines.join('');
        const found = a.canaries.flatMap((c) =>
          [
            database.includes(c) ? `database: ${c}` : null,
            broker.includes(c) ? `nats: ${c}` : null,
            logs.includes(c) ? `logs: ${c}` : null,
          ].filter((hit) => hit !== null),
        );
        // Nothing personal of the other customer travels or is stored in plain text either,
        // outside the read models that show it.
        const coSubjectOnBroker = b.canaries.filter((c) => broker.includes(c));
        const deadLettered = await transport.deadLetters(`order_history_customers`);
        reportFigures('S12', {
          canaries: a.canaries.length + b.canaries.length,
          forgottenCanariesFound: found.length,
          databaseBytes: database.length,
          natsBytes: broker.length,
          logBytes: logs.length,
          coSubjectReadable: true,
          coSubjectPlainOnNats: coSubjectOnBroker.length,
          deadLetters: deadLettered.length,
          backend: kind,
        });
        expect(found).toEqual([]);
        expect(coSubjectOnBroker).toEqual([]);
        expect(broker).toContain('$personal');
        expect(deadLettered).toEqual([]);
      } finally {
        await history.close();
        await customers.close();
        await transport.close();
        await db.executor.query(
          `DO $$ DECLARE s text; BEGIN
             FOR s IN SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${prefix}%'
             LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$`,
        );
        await deleteStreams(servers, streamNames);
      }
    },
  );
});
