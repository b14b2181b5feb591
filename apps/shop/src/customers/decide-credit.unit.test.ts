import { AuthorizationError, foldEvents } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, expect, it } from 'vitest';
import { ReleaseCredit, ReserveCredit } from './customer-commands.ts';
import { customerDecider } from './customer-decider.ts';
import type { CustomerEvent } from './customer-events.ts';
import { availableCredit } from './decide-credit.ts';

const spec = deciderSpec(customerDecider);
const saga = { actor: 'orders:order-placement-saga', roles: ['system'] };
const ada = { actor: 'ada', roles: ['customer'] };
const staff = { actor: 'sam', roles: ['staff'] };
const customerId = 'ada';
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: {
    customerId,
    name: 'Ada',
    email: 'ada@example.com',
    shippingAddress: { line1: '1 Analytical Row', city: 'London', postalCode: 'W1', country: 'GB' },
    creditLimitCents: 10_000,
  },
};
const reserve = (orderId: string, amountCents: number) =>
  ReserveCredit.create({ customerId, orderId, amountCents });
const reserved = (orderId: string, amountCents: number): CustomerEvent => ({
  type: 'CreditReserved',
  data: { customerId, orderId, amountCents },
});
const refused: CustomerEvent = {
  type: 'CreditReservationRefused',
  data: {
    customerId,
    orderId: 'o-2',
    amountCents: 5_000,
    availableCents: 4_000,
    reason: 'CREDIT_LIMIT_EXCEEDED',
  },
};
const release = (orderId: string) =>
  ReleaseCredit.create({ customerId, orderId, reason: 'out of stock' });
const released = (orderId: string, amountCents: number): CustomerEvent => ({
  type: 'CreditReleased',
  data: { customerId, orderId, amountCents, reason: 'out of stock' },
});

describe('the customer decider: reserving credit', () => {
  it('given a limit of 10,000, when 6,000 is reserved, then it is reserved', () => {
    spec
      .given([registered])
      .when(reserve('o-1', 6_000), saga)
      .then([reserved('o-1', 6_000)]);
  });

  it('given the whole limit free, when exactly the limit is reserved, then it is reserved', () => {
    spec
      .given([registered])
      .when(reserve('o-1', 10_000), saga)
      .then([reserved('o-1', 10_000)]);
  });

  it('given 6,000 of 10,000 held, when 5,000 more is asked, then it is refused with what is free', () => {
    spec
      .given([registered, reserved('o-1', 6_000)])
      .when(reserve('o-2', 5_000), saga)
      .then([refused]);
  });

  it('given an order already reserved, when it is reserved again, then nothing new is recorded', () => {
    spec
      .given([registered, reserved('o-1', 6_000)])
      .when(reserve('o-1', 6_000), saga)
      .then([]);
  });

  it('given an order refused, when it is asked again after credit freed up, then the refusal stands', () => {
    spec
      .given([registered, reserved('o-1', 6_000), refused, released('o-1', 6_000)])
      .when(reserve('o-2', 5_000), saga)
      .then([]);
  });

  it('given a customer never registered, when credit is asked, then it is refused (the saga needs an answer)', () => {
    spec
      .given([])
      .when(reserve('o-1', 1), saga)
      .then([
        {
          type: 'CreditReservationRefused',
          data: {
            customerId,
            orderId: 'o-1',
            amountCents: 1,
            availableCents: 0,
            reason: 'CUSTOMER_NOT_REGISTERED',
          },
        },
      ]);
  });

  it('given ada, when she reserves credit herself, then it is forbidden', () => {
    spec.given([registered]).when(reserve('o-1', 1), ada).then(AuthorizationError);
  });

  it('given ada, when staff reserve credit, then it is forbidden (only the saga does)', () => {
    spec.given([registered]).when(reserve('o-1', 1), staff).then(AuthorizationError);
  });
});

describe('the customer decider: releasing credit', () => {
  it('given a hold, when it is released, then the amount is given back', () => {
    spec
      .given([registered, reserved('o-1', 6_000)])
      .when(release('o-1'), saga)
      .then([released('o-1', 6_000)]);
  });

  it('given a hold released, when it is released again, then nothing is recorded', () => {
    spec
      .given([registered, reserved('o-1', 6_000), released('o-1', 6_000)])
      .when(release('o-1'), saga)
      .then([]);
  });

  it('given no hold for the order, when it is released, then nothing is recorded', () => {
    spec.given([registered]).when(release('o-9'), saga).then([]);
  });

  it('given a refused reservation, when the saga releases it, then nothing is recorded', () => {
    spec
      .given([registered, reserved('o-1', 6_000), refused])
      .when(release('o-2'), saga)
      .then([]);
  });

  it('given a hold released, when a larger amount is asked, then it fits again', () => {
    spec
      .given([registered, reserved('o-1', 6_000), released('o-1', 6_000)])
      .when(reserve('o-3', 10_000), saga)
      .then([reserved('o-3', 10_000)]);
  });

  it('given an orderId named like an Object.prototype member, when it is released, then nothing is recorded', () => {
    spec.given([registered]).when(release('constructor'), saga).then([]);
  });
});

describe('the customer decider: limit changes and availability', () => {
  const limitSet = (creditLimitCents: number): CustomerEvent => ({
    type: 'CreditLimitSet',
    data: { customerId, creditLimitCents },
  });

  it('given the limit raised to 20,000 over 6,000 held, when 14,000 is asked, then it is reserved', () => {
    spec
      .given([registered, reserved('o-1', 6_000), limitSet(20_000)])
      .when(reserve('o-2', 14_000), saga)
      .then([reserved('o-2', 14_000)]);
  });

  it('given the limit lowered under what is held, when 1 cent is asked, then it is refused with nothing free', () => {
    spec
      .given([registered, reserved('o-1', 6_000), limitSet(5_000)])
      .when(reserve('o-2', 1), saga)
      .then([
        {
          type: 'CreditReservationRefused',
          data: {
            customerId,
            orderId: 'o-2',
            amountCents: 1,
            availableCents: 0,
            reason: 'CREDIT_LIMIT_EXCEEDED',
          },
        },
      ]);
  });

  it('given holds, a release and a new limit, then available credit is the limit less open holds', () => {
    const state = foldEvents(customerDecider, [
      registered,
      reserved('o-1', 6_000),
      reserved('o-2', 1_000),
      released('o-1', 6_000),
      limitSet(3_000),
    ]);
    expect(availableCredit(state)).toBe(2_000);
  });
});
