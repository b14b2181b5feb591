import { validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  CreditReleaseRequestedV1,
  CreditReservationRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import {
  creditReleaseCommand,
  creditReservationCommand,
  SAGA_CONTEXT,
} from './credit-request-commands.ts';
import { ReleaseCredit, ReserveCredit } from './customer-commands.ts';
import { customerDecider } from './customer-decider.ts';

describe("commands from the placement saga's credit requests", () => {
  it('given a CreditReservationRequested, then ReserveCredit for the customer it names', async () => {
    const data = await validate(
      CreditReservationRequestedV1.schema,
      { orderId: 'o-1', customerId: 'ada', amountCents: 2_100 },
      'message',
    );
    const command = creditReservationCommand(data);
    expect(command).toEqual({
      type: 'ReserveCredit',
      data: { customerId: 'ada', orderId: 'o-1', amountCents: 2_100 },
    });
    await validate(ReserveCredit.schema, command.data, 'command');
  });

  it('given a CreditReleaseRequested with an overlong reason, then ReleaseCredit with the reason cut to fit', async () => {
    const command = creditReleaseCommand({
      orderId: 'o-1',
      customerId: 'ada',
      reason: 'x'.repeat(900),
    });
    expect(command.data.reason).toHaveLength(500);
    await validate(ReleaseCredit.schema, command.data, 'command');
  });

  it('given a CreditReleaseRequested with an empty reason, then ReleaseCredit still has one', async () => {
    const command = creditReleaseCommand({ orderId: 'o-1', customerId: 'ada', reason: '' });
    await validate(
      CreditReleaseRequestedV1.schema,
      { orderId: 'o-1', customerId: 'ada', reason: '' },
      'm',
    );
    await validate(ReleaseCredit.schema, command.data, 'command');
  });

  it('given the saga context, then the customer decider lets it reserve credit', () => {
    const decided = customerDecider.decide(
      creditReservationCommand({ orderId: 'o-1', customerId: 'ada', amountCents: 1 }),
      customerDecider.initialState(),
      SAGA_CONTEXT,
    );
    // An unregistered customer: refused, but answered rather than forbidden.
    expect(decided).toMatchObject({ type: 'CreditReservationRefused' });
  });
});
