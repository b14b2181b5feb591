import {
  AuthorizationError,
  createInProcessTransport,
  NotFoundError,
  type Transport,
} from '@duet/core';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { shopStreams } from '../contracts/message-streams.ts';
import {
  PaymentAuthorizationRequestedV1,
  PaymentCaptureRequestedV1,
  PaymentVoidRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import { paymentsContracts } from '../contracts/payment-contracts.ts';
import {
  createOrdersPublisher,
  listenTo,
  waitUntil,
} from '../customers/saga-messages.test-support.ts';
import { createSimulatedGateway } from './create-simulated-gateway.ts';
import { RefundPayment, VoidPayment } from './payment-commands.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import { createPaymentsService, type PaymentsService } from './payments-service.ts';

const staff = { actor: 'sam', roles: ['staff'] };
const ada = { actor: 'ada', roles: ['customer'] };
const noLatency = { min: 0, max: 0 };

// Orders named `decline-…` meet a gateway that declines everything (failureRate 1), the
// others one that approves everything (failureRate 0); every call is counted by kind.
function testGateway() {
  const approves = createSimulatedGateway({ failureRate: 0, latencyMs: noLatency });
  const declines = createSimulatedGateway({ failureRate: 1, latencyMs: noLatency });
  const calls: string[] = [];
  const pick = (orderId: string) => (orderId.startsWith('decline-') ? declines : approves);
  const counted =
    <R extends { orderId: string }, A>(kind: string, call: (g: PaymentGateway, r: R) => A) =>
    (request: R): A => {
      calls.push(`${kind} ${request.orderId}`);
      return call(pick(request.orderId), request);
    };
  const gateway: PaymentGateway = {
    authorize: counted('authorize', (g, r) => g.authorize(r)),
    capture: counted('capture', (g, r) => g.capture(r)),
    void: counted('void', (g, r) => g.void(r)),
    refund: counted('refund', (g, r) => g.refund(r)),
  };
  return { gateway, calls };
}

const backends = [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: inject('databaseUrl') !== null },
];

describe.each(backends)('the payments service on $kind', ({ kind, available }) => {
  let database: TestDatabase;
  let schema: string;
  let transport: Transport;
  let payments: PaymentsService;
  let answers: Awaited<ReturnType<typeof listenTo>>;
  let orders: ReturnType<typeof createOrdersPublisher>;
  const { gateway, calls } = testGateway();
  const streams = shopStreams();

  const authorize = (orderId: string, amountCents = 2_100) =>
    orders.publish(PaymentAuthorizationRequestedV1, { orderId, customerId: 'ada', amountCents });
  const answered = (type: string, orderId: string) =>
    waitUntil(() => answers.about(type, orderId).length > 0, `${type} of ${orderId}`);
  const eventsOf = async (orderId: string) => {
    const types: string[] = [];
    for await (const event of payments.store.readStream(`payment-${orderId}`))
      types.push(event.type);
    return types;
  };

  beforeAll(async () => {
    if (!available) return;
    database = await openTestDatabase({ kind, migrate: false });
    // A fixed name on the file's own PGlite; PostgreSQL is shared, so its schema is fresh.
    schema = kind === 'pglite' ? 'payments_it' : `${database.schema}_payments`;
    transport = createInProcessTransport();
    payments = await createPaymentsService({
      executor: database.executor,
      schema,
      transport,
      streams,
      gateway,
    });
    await payments.start();
    answers = await listenTo(transport, streams.payments, paymentsContracts);
    orders = createOrdersPublisher(transport, streams.orders);
  });

  afterAll(async () => {
    if (!available) return;
    await answers?.stop();
    await payments?.close();
    await transport[Symbol.asyncDispose]();
    for (const suffix of ['', '_processors', '_read']) {
      await database.executor.query(`DROP SCHEMA IF EXISTS "${schema}${suffix}" CASCADE`);
    }
    await database.dispose();
  });

  it.skipIf(!available)(
    'given an approving gateway, when the saga asks to authorize and capture, then PaymentAuthorized and PaymentCaptured, and staff see it captured',
    async () => {
      await authorize('p-1');
      await answered('PaymentAuthorized', 'p-1');
      expect(answers.about('PaymentAuthorized', 'p-1')[0]?.data).toMatchObject({
        orderId: 'p-1',
        paymentId: 'payment-p-1',
        amountCents: 2_100,
      });
      await orders.publish(PaymentCaptureRequestedV1, { orderId: 'p-1' });
      await answered('PaymentCaptured', 'p-1');
      const [captured] = answers.about('PaymentCaptured', 'p-1');
      expect(captured?.data).toEqual({ orderId: 'p-1', amountCents: 2_100 });
      const consistency = { minPosition: captured!.position };
      expect(
        await payments.queries.ask('GetPayment', { orderId: 'p-1' }, { ...staff, consistency }),
      ).toMatchObject({ status: 'captured', capturedCents: 2_100, version: 2 });
      await expect(
        payments.queries.ask('GetPayment', { orderId: 'p-1' }, ada),
      ).rejects.toBeInstanceOf(AuthorizationError);
    },
  );

  it.skipIf(!available)(
    'given a gateway that declines everything, then PaymentDeclined with its reason',
    async () => {
      await authorize('decline-1');
      await answered('PaymentDeclined', 'decline-1');
      expect(answers.about('PaymentDeclined', 'decline-1')[0]?.data).toMatchObject({
        orderId: 'decline-1',
        reason: expect.any(String),
      });
      expect(await eventsOf('decline-1')).toEqual(['PaymentDeclined']);
    },
  );

  it.skipIf(!available)(
    'given an authorization, when its request comes again and then a void, then one authorization, one gateway call each, and PaymentVoided',
    async () => {
      const request = await authorize('p-2');
      await answered('PaymentAuthorized', 'p-2');
      await orders.again(request);
      await orders.publish(PaymentVoidRequestedV1, { orderId: 'p-2', reason: 'out of stock' });
      await answered('PaymentVoided', 'p-2');
      expect(await eventsOf('p-2')).toEqual(['PaymentAuthorized', 'PaymentVoided']);
      expect(answers.about('PaymentAuthorized', 'p-2')).toHaveLength(1);
      expect(calls.filter((call) => call.endsWith(' p-2'))).toEqual(['authorize p-2', 'void p-2']);
    },
  );

  it.skipIf(!available)(
    'given staff, when they void an authorization and refund part of a capture, then the gateway is asked and the events published; others get 403, unknown ids 404',
    async () => {
      await authorize('p-3');
      await answered('PaymentAuthorized', 'p-3');
      const voided = await payments.commands.send(
        VoidPayment.create({ orderId: 'p-3', reason: 'customer called' }),
        staff,
      );
      expect(voided.events.map((e) => e.type)).toEqual(['PaymentVoided']);
      expect(voided.streamVersion).toBe(2);
      expect(calls).toContain('void p-3');
      await answered('PaymentVoided', 'p-3');

      const refund = RefundPayment.create({ orderId: 'p-1', reason: 'damaged', amountCents: 100 });
      await expect(payments.commands.send(refund, ada)).rejects.toBeInstanceOf(AuthorizationError);
      // Staff holding `system` too still act as staff: an unknown payment is not found.
      await expect(
        payments.commands.send(VoidPayment.create({ orderId: 'nope', reason: 'x' }), {
          actor: 'sam',
          roles: ['staff', 'system'],
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      const refunded = await payments.commands.send(refund, staff);
      expect(refunded.events[0]).toMatchObject({
        type: 'PaymentRefunded',
        data: { amountCents: 100 },
      });
      expect(calls).toContain('refund p-1');
      await waitUntil(
        () => answers.about('PaymentRefunded', 'p-1').length === 1,
        'the refund to be published',
      );
    },
  );
});
