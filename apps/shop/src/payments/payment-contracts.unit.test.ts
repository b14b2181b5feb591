import {
  createEventRegistry,
  createInMemoryEventStore,
  type RecordedEvent,
  validate,
} from '@duet/core';
import { describe, expect, it } from 'vitest';
import { paymentsContracts } from '../contracts/payment-contracts.ts';
import { type PaymentEvent, paymentEvents } from './payment-events.ts';

const orderId = 'o-1';
const paymentId = 'payment-o-1';
const history: PaymentEvent[] = [
  {
    type: 'PaymentAuthorized',
    data: { orderId, paymentId, customerId: 'ada', amountCents: 2100, authorizationCode: 'SECRET' },
  },
  { type: 'PaymentCaptured', data: { orderId, paymentId, amountCents: 2100 } },
  { type: 'PaymentRefunded', data: { orderId, paymentId, amountCents: 100, reason: 'damaged' } },
  { type: 'PaymentVoided', data: { orderId, paymentId, reason: 'no stock' } },
  {
    type: 'PaymentDeclined',
    data: { orderId, paymentId, customerId: 'ada', amountCents: 2100, reason: 'card expired' },
  },
];

// Real recorded events (envelopes and all), as the relay hands them to `map`.
async function recorded(): Promise<RecordedEvent[]> {
  const store = createInMemoryEventStore({ events: createEventRegistry(paymentEvents) });
  await store.append(paymentId, history);
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(paymentId)) events.push(event);
  return events;
}

describe("the payments service's contracts", () => {
  it('given every payment event, then exactly one contract publishes it', () => {
    expect([...paymentsContracts.domainTypes].sort()).toEqual(
      paymentEvents.map((e) => e.type).sort(),
    );
  });

  it('given each recorded payment event, when mapped, then the data passes its contract', async () => {
    const published: Record<string, unknown> = {};
    for (const event of await recorded()) {
      const contract = paymentsContracts.forDomainType(event.type);
      if (contract === undefined) throw new Error(`no contract for ${event.type}`);
      published[contract.subject] = await validate(
        contract.schema,
        contract.map(event),
        contract.subject,
      );
    }
    expect(published).toEqual({
      'payments.PaymentAuthorized': { orderId, paymentId, amountCents: 2100 },
      'payments.PaymentCaptured': { orderId, amountCents: 2100 },
      'payments.PaymentRefunded': { orderId, amountCents: 100 },
      'payments.PaymentVoided': { orderId },
      'payments.PaymentDeclined': { orderId, reason: 'card expired' },
    });
  });
});
