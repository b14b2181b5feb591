// The core README's testing example: packages/core/README.md checks the docs show exactly
// the region below.
// #region readme-testing
import { DomainError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { it } from 'vitest';
import { account, Deposit, Deposited } from './account.ts';

it('given an empty account, when 500 is deposited, then 500 is deposited', () => {
  deciderSpec(account)
    .given([])
    .when(Deposit.create({ account: 'a1', cents: 500 }))
    .then([Deposited.create({ account: 'a1', cents: 500 })]);
});

it('given a full account, when more is deposited, then the rule refuses it', () => {
  deciderSpec(account)
    .given([Deposited.create({ account: 'a1', cents: 1_000_000 })])
    .when(Deposit.create({ account: 'a1', cents: 1 }))
    .then(DomainError);
});
// #endregion readme-testing
