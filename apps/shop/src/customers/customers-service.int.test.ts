import {
  AuthorizationError,
  createInProcessTransport,
  DomainError,
  foldEvents,
  type Transport,
} from '@duet/core';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { customersContracts } from '../contracts/customer-contracts.ts';
import { shopStreams } from '../contracts/message-streams.ts';
import {
  CreditReleaseRequestedV1,
  CreditReservationRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import { RegisterCustomer, RenameCustomer, SetCreditLimit } from './customer-commands.ts';
import { type CustomerState, customerDecider } from './customer-decider.ts';
import type { CustomerEvent } from './customer-events.ts';
import { type CustomersService, createCustomersService } from './customers-service.ts';
import { createOrdersPublisher, listenTo, waitUntil } from './saga-messages.test-support.ts';

const staff = { actor: 'sam', roles: ['staff'] };
const as = (actor: string) => ({ actor, roles: ['customer'] });
const address = { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const register = (customerId: string, email: string) =>
  RegisterCustomer.create({ customerId, name: customerId, email, shippingAddress: address });

const backends = [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: inject('databaseUrl') !== null },
];

describe.each(backends)('the customers service on $kind', ({ kind, available }) => {
  let database: TestDatabase;
  let schema: string;
  let transport: Transport;
  let customers: CustomersService;
  let answers: Awaited<ReturnType<typeof listenTo>>;
  let orders: ReturnType<typeof createOrdersPublisher>;
  const streams = shopStreams();

  const stateOf = async (customerId: string) => {
    const events: CustomerEvent[] = [];
    for await (const event of customers.store.readStream<CustomerEvent>(`customer-${customerId}`))
      events.push(event);
    return { state: foldEvents(customerDecider, events), version: events.length };
  };
  const reservedIn = (state: CustomerState) =>
    Object.values(state.credit)
      .filter((hold) => hold.status === 'reserved')
      .reduce((sum, hold) => sum + hold.amountCents, 0);

  beforeAll(async () => {
    if (!available) return;
    database = await openTestDatabase({ kind, migrate: false });
    // A fixed name on the file's own PGlite; PostgreSQL is shared, so its schema is fresh.
    schema = kind === 'pglite' ? 'customers_it' : `${database.schema}_customers`;
    transport = createInProcessTransport();
    customers = await createCustomersService({
      executor: database.executor,
      schema,
      transport,
      streams,
    });
    await customers.start();
    answers = await listenTo(transport, streams.customers, customersContracts);
    orders = createOrdersPublisher(transport, streams.orders);
  });

  afterAll(async () => {
    if (!available) return;
    await answers?.stop();
    await customers?.close();
    await transport[Symbol.asyncDispose]();
    for (const suffix of ['', '_processors', '_read']) {
      await database.executor.query(`DROP SCHEMA IF EXISTS "${schema}${suffix}" CASCADE`);
    }
    await database.dispose();
  });

  it.skipIf(!available)(
    'given a registered customer, when another registers with the same email in other case, then EMAIL_TAKEN, and the first sees their profile',
    async () => {
      const { position } = await customers.commands.send(
        register('ada', 'ada@example.com'),
        as('ada'),
      );
      const taken = customers.commands.send(register('eve', 'ADA@Example.com'), as('eve'));
      await expect(taken).rejects.toMatchObject({ rule: 'EMAIL_TAKEN' });
      const renamed = await customers.commands.send(
        RenameCustomer.create({ customerId: 'ada', name: 'Ada Lovelace' }),
        as('ada'),
      );
      const profile = await customers.queries.ask(
        'GetMyProfile',
        {},
        { ...as('ada'), consistency: { minPosition: renamed.position } },
      );
      expect(profile).toMatchObject({
        customerId: 'ada',
        name: 'Ada Lovelace',
        creditLimitCents: 100_000,
        reservedCents: 0,
      });
      expect(position).toBeTruthy();
      await waitUntil(
        () => answers.messages.some((m) => m.type === 'CustomerRenamed'),
        'the rename to be published',
      );
    },
  );

  it.skipIf(!available)(
    'given two registrations racing for one email, then exactly one wins and the other is EMAIL_TAKEN',
    async () => {
      const outcomes = await Promise.allSettled([
        customers.commands.send(register('rae', 'race@example.com'), as('rae')),
        customers.commands.send(register('rex', 'race@example.com'), as('rex')),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const [lost] = outcomes.filter((o) => o.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(DomainError);
      expect(lost?.reason).toMatchObject({ rule: 'EMAIL_TAKEN' });
    },
  );

  it.skipIf(!available)(
    'given a limit of 10,000, then a request within it is reserved, one over it refused, a release released, and a duplicate changes nothing',
    async () => {
      await customers.commands.send(register('bob', 'bob@example.com'), as('bob'));
      await expect(
        customers.commands.send(
          SetCreditLimit.create({ customerId: 'bob', creditLimitCents: 10_000 }),
          as('bob'),
        ),
      ).rejects.toBeInstanceOf(AuthorizationError);
      await customers.commands.send(
        SetCreditLimit.create({ customerId: 'bob', creditLimitCents: 10_000 }),
        staff,
      );
      const reserve = (orderId: string, amountCents: number) =>
        orders.publish(CreditReservationRequestedV1, { orderId, customerId: 'bob', amountCents });
      const first = await reserve('b-1', 6_000);
      await waitUntil(() => answers.about('CreditReserved', 'b-1').length === 1, 'b-1 reserved');
      await reserve('b-2', 5_000);
      await waitUntil(
        () => answers.about('CreditReservationRefused', 'b-2').length === 1,
        'b-2 refused',
      );
      expect(answers.about('CreditReservationRefused', 'b-2')[0]?.data).toMatchObject({
        reason: 'CREDIT_LIMIT_EXCEEDED',
      });
      const before = await stateOf('bob');
      // The same request again, then the release on the same saga stream: once the
      // release is answered, the copy was seen before it.
      await orders.again(first);
      await orders.publish(CreditReleaseRequestedV1, {
        orderId: 'b-1',
        customerId: 'bob',
        reason: 'out of stock',
      });
      await waitUntil(() => answers.about('CreditReleased', 'b-1').length === 1, 'b-1 released');
      const after = await stateOf('bob');
      expect(after.version).toBe(before.version + 1);
      expect(answers.about('CreditReserved', 'b-1')).toHaveLength(1);
      expect(after.state.credit['b-1']).toEqual({ status: 'released', amountCents: 6_000 });
      expect(reservedIn(after.state)).toBe(0);
    },
  );

  it.skipIf(!available)(
    'given 20 concurrent requests of 15,000 against a limit of 100,000, then at most the limit is reserved and each gets one answer',
    async () => {
      await customers.commands.send(register('cy', 'cy@example.com'), as('cy'));
      const orderIds = Array.from({ length: 20 }, (_, i) => `c-${i}`);
      await Promise.all(
        orderIds.map((orderId) =>
          orders.publish(CreditReservationRequestedV1, {
            orderId,
            customerId: 'cy',
            amountCents: 15_000,
          }),
        ),
      );
      const answered = (orderId: string) =>
        answers.about('CreditReserved', orderId).length +
        answers.about('CreditReservationRefused', orderId).length;
      await waitUntil(() => orderIds.every((id) => answered(id) === 1), 'every answer', 60_000);
      const { state } = await stateOf('cy');
      expect(reservedIn(state)).toBeLessThanOrEqual(state.creditLimitCents);
      expect(reservedIn(state)).toBe(90_000);
      expect(Object.keys(state.credit)).toHaveLength(20);
      const list = (await customers.queries.ask('ListCustomers', { limit: 2 }, staff)) as {
        customers: { customerId: string }[];
      };
      expect(list.customers.map((c) => c.customerId)).toEqual(['ada', 'bob']);
      await expect(customers.queries.ask('ListCustomers', {}, as('cy'))).rejects.toBeInstanceOf(
        AuthorizationError,
      );
    },
    90_000,
  );
});
