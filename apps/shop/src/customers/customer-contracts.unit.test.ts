import { type RecordedEvent, toPosition, toStreamName, validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { customersContracts } from '../contracts/customer-contracts.ts';
import type { CustomerEvent } from './customer-events.ts';

const customerId = 'ada';
const shippingAddress = {
  line1: '1 Analytical Row',
  city: 'London',
  postalCode: 'W1',
  country: 'GB',
};

function recorded(event: CustomerEvent, streamVersion: number): RecordedEvent {
  return {
    ...event,
    id: `0190a000-0000-7000-8000-00000000000${streamVersion}`,
    stream: toStreamName(`customer-${customerId}`),
    streamVersion,
    position: toPosition(`${'0'.repeat(15)}1-${String(streamVersion).padStart(16, '0')}`),
    schemaVersion: 1,
    metadata: { timestamp: '2025-01-01T00:00:00.000Z' },
  };
}

const published: [CustomerEvent, unknown][] = [
  [
    {
      type: 'CustomerRegistered',
      data: {
        customerId,
        name: 'Ada',
        email: 'ada@example.com',
        shippingAddress,
        creditLimitCents: 100_000,
      },
    },
    { customerId, name: 'Ada' },
  ],
  [
    { type: 'CustomerRenamed', data: { customerId, name: 'Ada L.' } },
    { customerId, name: 'Ada L.' },
  ],
  [
    { type: 'ShippingAddressChanged', data: { customerId, shippingAddress } },
    { customerId, address: shippingAddress },
  ],
  [
    { type: 'CreditReserved', data: { customerId, orderId: 'o-1', amountCents: 2_100 } },
    { orderId: 'o-1', customerId, amountCents: 2_100 },
  ],
  [
    {
      type: 'CreditReservationRefused',
      data: {
        customerId,
        orderId: 'o-2',
        amountCents: 9,
        availableCents: 0,
        reason: 'CREDIT_LIMIT_EXCEEDED',
      },
    },
    { orderId: 'o-2', customerId, reason: 'CREDIT_LIMIT_EXCEEDED' },
  ],
  [
    {
      type: 'CreditReleased',
      data: { customerId, orderId: 'o-1', amountCents: 2_100, reason: 'out of stock' },
    },
    { orderId: 'o-1', customerId },
  ],
];

describe('the customers contracts', () => {
  it.each(published)(
    'given a recorded %o, then its contract data passes the contract schema',
    async (event, expected) => {
      const contract = customersContracts.forDomainType(event.type);
      expect(contract?.subject).toBe(`customers.${event.type}`);
      const data = contract!.map(recorded(event, 1));
      expect(data).toEqual(expected);
      expect(await validate(contract!.schema, data, contract!.subject)).toEqual(expected);
    },
  );

  it('given a registration, then the published data leaves the email at home', () => {
    const [registered] = published[0]!;
    const data = customersContracts
      .forDomainType('CustomerRegistered')!
      .map(recorded(registered, 1));
    expect(JSON.stringify(data)).not.toContain('example.com');
  });

  it('given the settings-only events, then none of them is published', () => {
    expect(customersContracts.forDomainType('CreditLimitSet')).toBeUndefined();
    expect(customersContracts.forDomainType('EmailReserved')).toBeUndefined();
  });

  it.each([
    ['customer-ada', 'ada'],
    ['member-7', null],
  ])(
    'given the erasure of %s, then CustomerForgotten carries its customer id (or null) and nothing personal',
    async (subject, expectedId) => {
      const contract = customersContracts.forDomainType('PersonalDataForgotten')!;
      expect(contract.subject).toBe('customers.CustomerForgotten');
      const erasure = {
        type: 'PersonalDataForgotten',
        data: { subject, forgottenAt: '2025-01-02T00:00:00.000Z', by: 'sam' },
      };
      const data = contract.map(recorded(erasure as unknown as CustomerEvent, 1));
      expect(await validate(contract.schema, data, contract.subject)).toEqual({
        subject,
        customerId: expectedId,
        forgottenAt: '2025-01-02T00:00:00.000Z',
      });
    },
  );
});
