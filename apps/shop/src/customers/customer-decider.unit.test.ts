import { AuthorizationError, DomainError, NotFoundError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, it } from 'vitest';
import {
  ChangeShippingAddress,
  RegisterCustomer,
  RenameCustomer,
  SetCreditLimit,
} from './customer-commands.ts';
import { customerDecider, DEFAULT_CREDIT_LIMIT_CENTS } from './customer-decider.ts';
import type { CustomerEvent } from './customer-events.ts';

const spec = deciderSpec(customerDecider);
const ada = { actor: 'ada', roles: ['customer'] };
const bob = { actor: 'bob', roles: ['customer'] };
const staff = { actor: 'sam', roles: ['staff'] };
const customerId = 'ada';
const home = { line1: '1 Analytical Row', city: 'London', postalCode: 'W1 1AA', country: 'GB' };
const office = {
  line1: '2 Engine St',
  line2: 'Floor 3',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
const registration = { customerId, name: 'Ada', email: 'ada@example.com', shippingAddress: home };
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { ...registration, creditLimitCents: DEFAULT_CREDIT_LIMIT_CENTS },
};

describe('the customer decider: registration', () => {
  it('given no customer, when ada registers herself, then she is registered with the default credit limit', () => {
    spec.given([]).when(RegisterCustomer.create(registration), ada).then([registered]);
  });

  it('given no customer, when staff register ada, then she is registered', () => {
    spec.given([]).when(RegisterCustomer.create(registration), staff).then([registered]);
  });

  it('given no customer, when bob registers ada, then it is forbidden', () => {
    spec.given([]).when(RegisterCustomer.create(registration), bob).then(AuthorizationError);
  });

  it('given no signed-in actor, when ada is registered, then it is forbidden', () => {
    spec.given([]).when(RegisterCustomer.create(registration)).then(AuthorizationError);
  });

  it('given ada is registered, when she registers again, then it is refused', () => {
    spec
      .given([registered])
      .when(RegisterCustomer.create(registration), ada)
      .then((error) => error instanceof DomainError && error.rule === 'CUSTOMER_EXISTS');
  });

  it('given a registration, then the state holds who she is and her limit', () => {
    spec.given([]).when(RegisterCustomer.create(registration), ada).thenState({
      status: 'registered',
      customerId,
      name: 'Ada',
      email: 'ada@example.com',
      shippingAddress: home,
      creditLimitCents: DEFAULT_CREDIT_LIMIT_CENTS,
      credit: {},
    });
  });
});

describe('the customer decider: name and address', () => {
  it('given ada, when she renames herself, then she is renamed', () => {
    spec
      .given([registered])
      .when(RenameCustomer.create({ customerId, name: 'Ada Lovelace' }), ada)
      .then([{ type: 'CustomerRenamed', data: { customerId, name: 'Ada Lovelace' } }]);
  });

  it('given ada, when she renames herself to the same name, then nothing is recorded', () => {
    spec
      .given([registered])
      .when(RenameCustomer.create({ customerId, name: 'Ada' }), ada)
      .then([]);
  });

  it('given ada, when she changes her shipping address, then it is changed', () => {
    spec
      .given([registered])
      .when(ChangeShippingAddress.create({ customerId, shippingAddress: office }), ada)
      .then([{ type: 'ShippingAddressChanged', data: { customerId, shippingAddress: office } }]);
  });

  it('given ada, when she sends her current address again, then nothing is recorded', () => {
    spec
      .given([registered])
      .when(ChangeShippingAddress.create({ customerId, shippingAddress: { ...home } }), ada)
      .then([]);
  });
});

describe('the customer decider: who sees whom', () => {
  it('given ada, when bob renames her, then she is not found (no leak)', () => {
    spec
      .given([registered])
      .when(RenameCustomer.create({ customerId, name: 'Bob was here' }), bob)
      .then(new NotFoundError('customer', customerId));
  });

  it('given no customer, when bob renames ada, then she is not found, as when she exists', () => {
    spec
      .given([])
      .when(RenameCustomer.create({ customerId, name: 'Bob was here' }), bob)
      .then(new NotFoundError('customer', customerId));
  });

  it('given ada, when bob changes her address, then she is not found', () => {
    spec
      .given([registered])
      .when(ChangeShippingAddress.create({ customerId, shippingAddress: office }), bob)
      .then(NotFoundError);
  });

  it('given ada, when staff change her address, then it is changed', () => {
    spec
      .given([registered])
      .when(ChangeShippingAddress.create({ customerId, shippingAddress: office }), staff)
      .then([{ type: 'ShippingAddressChanged', data: { customerId, shippingAddress: office } }]);
  });

  it('given no customer, when staff rename her, then she is not found', () => {
    spec
      .given([])
      .when(RenameCustomer.create({ customerId, name: 'Ada' }), staff)
      .then(NotFoundError);
  });
});

describe('the customer decider: credit limit', () => {
  it('given ada, when staff set her credit limit, then it is set', () => {
    spec
      .given([registered])
      .when(SetCreditLimit.create({ customerId, creditLimitCents: 250_000 }), staff)
      .then([{ type: 'CreditLimitSet', data: { customerId, creditLimitCents: 250_000 } }]);
  });

  it('given ada, when she sets her own credit limit, then it is forbidden', () => {
    spec
      .given([registered])
      .when(SetCreditLimit.create({ customerId, creditLimitCents: 10_000_000 }), ada)
      .then(AuthorizationError);
  });

  it('given no customer, when staff set a credit limit, then she is not found', () => {
    spec
      .given([])
      .when(SetCreditLimit.create({ customerId, creditLimitCents: 1 }), staff)
      .then(NotFoundError);
  });

  it('given ada, when staff set the limit she already has, then nothing is recorded', () => {
    spec
      .given([registered])
      .when(
        SetCreditLimit.create({ customerId, creditLimitCents: DEFAULT_CREDIT_LIMIT_CENTS }),
        staff,
      )
      .then([]);
  });
});
