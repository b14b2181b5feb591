import { AuthorizationError, StaleReadError } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerRenamedV1 } from '../contracts/customer-contracts.ts';
import { OrderPlacedV1 } from '../contracts/order-placement-contracts.ts';
import { consumedToken } from './consumed-token.ts';
import {
  customer,
  type HistoryFixture,
  historyBackends,
  startHistoryFixture,
} from './history-fixture.test-support.ts';
import { OrderHistory } from './order-history-queries.ts';

const wait = { timeoutMs: 15_000 };

// Read-your-writes across services: a token names a service's stream and version, and
// the history answers only once its consumer of that service has applied it.
describe.each(historyBackends())(
  'order history read-your-writes on $kind',
  ({ kind, available }) => {
    let fixture: HistoryFixture;

    beforeAll(async () => {
      if (available) fixture = await startHistoryFixture(kind);
    });
    afterAll(async () => {
      if (available) await fixture.close();
    });

    it.skipIf(!available)(
      'given a token for an event not yet published, when waited for, then StaleReadError; once published, the wait resolves and the query sees it',
      async () => {
        const { history, relays } = fixture;
        const held = relays.build(OrderPlacedV1, 'order-r-1', {
          orderId: 'r-1',
          customerId: 'rae',
          lines: [{ sku: 'pen', quantity: 1, unitPriceCents: 100 }],
          totalCents: 100,
        });
        const token = consumedToken(held);
        await expect(history.waitFor([token], { timeoutMs: 200 })).rejects.toBeInstanceOf(
          StaleReadError,
        );
        await expect(
          history.ask(
            OrderHistory,
            { limit: 20 },
            { ...customer('rae'), tokens: [token], timeoutMs: 200 },
          ),
        ).rejects.toMatchObject({ name: 'StaleReadError', tokens: [token] });
        // Authorization comes before the wait: another customer cannot hold one.
        await expect(
          history.ask(
            OrderHistory,
            { customerId: 'rae', limit: 20 },
            { ...customer('bob'), tokens: [token] },
          ),
        ).rejects.toBeInstanceOf(AuthorizationError);

        const waiting = history.waitFor([token], wait);
        await relays.send([held]);
        await waiting;
        const page = await fixture.historyOf('rae', {}, [token]);
        expect(page.orders.map((o) => o.orderId)).toEqual(['r-1']);
      },
    );

    it.skipIf(!available)(
      'given a later position of the service consumed while an earlier one is held back, when waited for the earlier, then it is not consumed yet',
      async () => {
        const { history, relays } = fixture;
        // Positions 1, 2, 3 of customers: vic's v1 and v2, then wes's v1. Vic's v1 is
        // delayed: wes's (position 3) takes effect, vic's v2 (position 2) is held back by
        // the inbox. "Highest position consumed" would call 2 done; it is not.
        const vic1 = relays.build(CustomerRenamedV1, 'customer-vic', {
          customerId: 'vic',
          name: 'V',
        });
        const vic2 = relays.build(CustomerRenamedV1, 'customer-vic', {
          customerId: 'vic',
          name: 'Vic',
        });
        const wes1 = relays.build(CustomerRenamedV1, 'customer-wes', {
          customerId: 'wes',
          name: 'Wes',
        });
        await relays.send([vic2, wes1]);
        await history.waitFor([consumedToken(wes1)], wait);
        expect(vic2.position < wes1.position).toBe(true);
        await expect(
          history.waitFor([consumedToken(vic2)], { timeoutMs: 300 }),
        ).rejects.toBeInstanceOf(StaleReadError);
        await relays.send([vic1]);
        await history.waitFor([consumedToken(vic2)], wait);
        const placed = await fixture.place('v-1', 'vic', [
          { sku: 'pen', quantity: 1, unitPriceCents: 100 },
        ]);
        const page = await fixture.historyOf('vic', {}, [placed]);
        expect(page.orders[0]?.customerName).toBe('Vic');
      },
    );

    it.skipIf(!available)(
      'given one service’s store position instead of tokens, when asked, then CONSISTENCY_UNSUPPORTED rather than an answer that ignores it',
      async () => {
        const error = await fixture.history.queries
          .ask(
            OrderHistory,
            { limit: 20 },
            {
              ...customer('rae'),
              consistency: { minPosition: '0000000000000001-0000000000000001' },
            },
          )
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'CONSISTENCY_UNSUPPORTED' });
      },
    );

    it.skipIf(!available)(
      'given malformed tokens or an unknown service, then ValidationError',
      async () => {
        await expect(fixture.history.waitFor(['billing@x:1'], wait)).rejects.toThrow('billing');
        await expect(fixture.history.waitFor(['orders@x'], wait)).rejects.toThrow(
          '<service>@<stream>:<version>',
        );
        await expect(fixture.history.waitFor(['orders@x:0'], wait)).rejects.toThrow('read token');
      },
    );
  },
);
