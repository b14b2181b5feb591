import { AuthorizationError, DomainError, foldEvents } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { RegisterCustomer } from './customer-commands.ts';
import { customerDecider, DEFAULT_CREDIT_LIMIT_CENTS } from './customer-decider.ts';
import { decideRegistration, registrationStreams } from './decide-registration.ts';
import { emailReservationDecider } from './email-reservation-decider.ts';

const ada = { actor: 'ada', roles: ['customer'] };
const shippingAddress = {
  line1: '1 Analytical Row',
  city: 'London',
  postalCode: 'W1',
  country: 'GB',
};
const command = RegisterCustomer.create({
  customerId: 'ada',
  name: 'Ada',
  email: 'Ada@Example.com',
  shippingAddress,
});
const fresh = {
  customer: customerDecider.initialState(),
  email: emailReservationDecider.initialState(),
};

describe('registering a customer across two streams', () => {
  it('given a new customer and a free email, then both streams get their event', () => {
    const writes = decideRegistration(command, fresh, ada);
    expect(writes).toEqual({
      customer: {
        stream: 'customer-ada',
        events: [
          {
            type: 'CustomerRegistered',
            data: { ...command.data, creditLimitCents: DEFAULT_CREDIT_LIMIT_CENTS },
          },
        ],
      },
      email: {
        stream: registrationStreams(command).email,
        events: [{ type: 'EmailReserved', data: { customerId: 'ada' } }],
      },
    });
  });

  it('given the email held by bob, when ada registers with it, then it is taken', () => {
    const email = foldEvents(emailReservationDecider, [
      { type: 'EmailReserved', data: { customerId: 'bob' } },
    ]);
    expect(() => decideRegistration(command, { ...fresh, email }, ada)).toThrow(
      expect.objectContaining({ rule: 'EMAIL_TAKEN' }),
    );
  });

  it('given the email free, when bob registers ada, then it is forbidden before the email is looked at', () => {
    expect(() => decideRegistration(command, fresh, { actor: 'bob', roles: ['customer'] })).toThrow(
      AuthorizationError,
    );
  });

  it('given ada registered, when she registers again, then the customer rule refuses first', () => {
    const { customer } = decideRegistration(command, fresh, ada);
    const state = {
      customer: foldEvents(customerDecider, customer.events),
      email: foldEvents(emailReservationDecider, [
        { type: 'EmailReserved', data: { customerId: 'ada' } },
      ]),
    };
    expect(() => decideRegistration(command, state, ada)).toThrow(DomainError);
  });

  it('given the address in other case, then it reads the same email stream', () => {
    const lower = RegisterCustomer.create({ ...command.data, email: 'ada@example.com' });
    expect(registrationStreams(command)).toEqual(registrationStreams(lower));
  });
});
