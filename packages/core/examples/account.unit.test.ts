import { DomainError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { bus, Deposit, store } from './account.ts';

describe('the README example', () => {
  it('given a new account, when 500 is deposited, then version 1 holds the deposit', async () => {
    const result = await bus.send(Deposit.create({ account: 'a1', cents: 500 }));
    expect(result).toMatchObject({ stream: 'account-a1', streamVersion: 1 });
    const events = [];
    for await (const event of store.readStream('account-a1')) events.push(event.data);
    expect(events).toEqual([{ account: 'a1', cents: 500 }]);
  });

  it('given a full account, when more is deposited, then the rule refuses it', async () => {
    await expect(
      bus.send(Deposit.create({ account: 'a1', cents: 1_000_000 })),
    ).rejects.toBeInstanceOf(DomainError);
  });
});
