import { createInProcessTransport, type Transport } from '@duet/core';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { inject } from 'vitest';
import { shopStreams } from '../contracts/message-streams.ts';
import { OrderPlacedV1 } from '../contracts/order-placement-contracts.ts';
import { consumedToken } from './consumed-token.ts';
import { OrderHistory } from './order-history-queries.ts';
import { createOrderHistoryService } from './order-history-service.ts';
import { createServiceRelays } from './service-relays.test-support.ts';

/** The backends the history's tests run on: PGlite always, PostgreSQL when reachable. */
export const historyBackends = () => [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: inject('databaseUrl') !== null },
];

export const staff = { actor: 'sam', roles: ['staff'] };
export const customer = (actor: string) => ({ actor, roles: ['customer'] });

/**
 * A running order history on a fresh database with the in-process transport, and the
 * four services' relays played by `relays`. `close` stops it and drops its schema.
 *
 * @example
 * const fixture = await startHistoryFixture('pglite');
 * await fixture.place('o-1', 'ada', [{ sku: 'tea', quantity: 1, unitPriceCents: 450 }]);
 */
export async function startHistoryFixture(kind: 'pglite' | 'postgres') {
  const database: TestDatabase = await openTestDatabase({ kind, migrate: false });
  const transport: Transport = createInProcessTransport();
  const streams = shopStreams();
  const relays = createServiceRelays(transport, streams);
  // A fixed name beside the test's own schema, dropped in `close`.
  const schema = `${database.schema}_history`;
  const history = await createOrderHistoryService({
    executor: database.executor,
    schema,
    transport,
    streams,
  });
  await history.start();
  return {
    history,
    relays,
    /** Places an order as the orders relay would; resolves to its read-your-writes token. */
    async place(
      orderId: string,
      customerId: string,
      lines: { sku: string; quantity: number; unitPriceCents: number }[],
    ): Promise<string> {
      const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
      const message = await relays.publish(OrderPlacedV1, `order-${orderId}`, {
        orderId,
        customerId,
        lines,
        totalCents,
      });
      return consumedToken(message);
    },
    /** A customer's own history (first page of 20), after the tokens are consumed. */
    historyOf: (customerId: string, params: Record<string, unknown> = {}, tokens: string[] = []) =>
      history.ask(
        OrderHistory,
        { limit: 20, ...params },
        { ...customer(customerId), tokens, timeoutMs: 15_000 },
      ),
    async close() {
      await history.close();
      await transport.close();
      await database.executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.dispose();
    },
  };
}

export type HistoryFixture = Awaited<ReturnType<typeof startHistoryFixture>>;
