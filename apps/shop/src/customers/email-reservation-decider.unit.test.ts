import { DomainError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, expect, it } from 'vitest';
import { ReserveEmail } from './customer-commands.ts';
import { emailReservationDecider } from './email-reservation-decider.ts';
import { emailReservationStream, normalizeEmail } from './email-reservation-stream.ts';

const spec = deciderSpec(emailReservationDecider);
const email = 'ada@example.com';

describe('the email reservation decider', () => {
  it('given a free email, when ada reserves it, then it is hers', () => {
    spec
      .given([])
      .when(ReserveEmail.create({ email, customerId: 'ada' }))
      .then([{ type: 'EmailReserved', data: { customerId: 'ada' } }]);
  });

  it("given ada's email, when bob reserves it, then it is taken", () => {
    spec
      .given([{ type: 'EmailReserved', data: { customerId: 'ada' } }])
      .when(ReserveEmail.create({ email, customerId: 'bob' }))
      .then(new DomainError('EMAIL_TAKEN', 'another customer has registered this email'));
  });

  it("given ada's email, when ada reserves it again (a retry), then nothing is recorded", () => {
    spec
      .given([{ type: 'EmailReserved', data: { customerId: 'ada' } }])
      .when(ReserveEmail.create({ email, customerId: 'ada' }))
      .then([]);
  });
});

describe('the email reservation stream', () => {
  it('given one address in other case and spacing, then both name the same stream', () => {
    expect(emailReservationStream(' Ada@Example.COM ')).toBe(emailReservationStream(email));
    expect(normalizeEmail(' Ada@Example.COM ')).toBe(email);
  });

  it('given two addresses, then they name different streams, without the address in the name', () => {
    const stream = emailReservationStream(email);
    expect(stream).toMatch(/^customer_email-[0-9a-f]{64}$/);
    expect(stream).not.toBe(emailReservationStream('bob@example.com'));
  });
});
