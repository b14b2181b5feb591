import {
  type Contracts,
  defineContracts,
  defineEvent,
  defineIntegrationEvent,
  type IntegrationMessage,
} from '@duet/core';
import { z } from 'zod';

/** The statement runner the fixture writes through (a transaction or an executor). */
export interface SqlTransactionLike {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
}

// The two-service fixture of the messaging tests: an "orders" service whose domain events
// map to integration events, and a consumer that records one effect row per message.

export const OrderPlaced = defineEvent(
  'OrderPlaced',
  z.object({ customer: z.string(), totalCents: z.number().int() }),
);
export const OrderCancelled = defineEvent('OrderCancelled', z.object({ reason: z.string() }));
/** Not published: the relay must skip it and the previous-version chain must step over it. */
export const OrderNoted = defineEvent('OrderNoted', z.object({ note: z.string() }));

export function orderContracts(service: string): Contracts {
  return defineContracts(service, [
    defineIntegrationEvent({
      service,
      name: 'OrderPlaced',
      schema: z.object({
        orderId: z.string(),
        customer: z.string(),
        totalCents: z.number().int().min(0),
      }),
      from: OrderPlaced,
      map: (event) => {
        const data = event.data as { customer: string; totalCents: number };
        return { orderId: event.stream, customer: data.customer, totalCents: data.totalCents };
      },
    }),
    defineIntegrationEvent({
      service,
      name: 'OrderCancelled',
      schema: z.object({ orderId: z.string(), reason: z.string() }),
      from: OrderCancelled,
      map: (event) => ({
        orderId: event.stream,
        reason: (event.data as { reason: string }).reason,
      }),
    }),
  ]);
}

/** The consumer's effect table: one row per handled message, in the order they took effect. */
export async function createEffects(tx: SqlTransactionLike, schema: string): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS "${schema}".effects (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer text NOT NULL,
    event_id text NOT NULL,
    stream text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    traceparent text
  )`);
}

/** The handler body: records the message as an effect, in the inbox's transaction. */
export async function recordEffect(
  tx: SqlTransactionLike,
  schema: string,
  consumer: string,
  message: IntegrationMessage,
): Promise<void> {
  await tx.query(
    `INSERT INTO "${schema}".effects (consumer, event_id, stream, version, type, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      consumer,
      message.id,
      message.stream,
      message.streamVersion,
      message.type,
      message.metadata.traceparent ?? null,
    ],
  );
}
