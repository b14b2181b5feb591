import {
  createIntegrationConsumer,
  type Inbox,
  type InboxEntry,
  type IntegrationConsumer,
} from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { testDeadLetters } from '@duet/nats/testing';
import {
  createPgExecutor,
  createPostgresInbox,
  migrate,
  type SqlTransaction,
} from '@duet/postgres';
import type { OrderEvent } from '../project/order-events.ts';
import type { OrdersService } from './orders-service.ts';

/** The consuming service: one effect row per message, written in its inbox transaction. */
export interface EffectService {
  readonly consumer: IntegrationConsumer;
  /** Inbox transactions that handled at least one message, the messages they handled, their total ms. */
  readonly batches: { count: number; messages: number; ms: number };
  /** Compares the effect table with the publishing store's events (same database). */
  check(storeSchema: string): Promise<EffectCheck>;
  close(): Promise<void>;
}

export interface EffectCheck {
  /** Every event has exactly one effect, no effect lacks its event, streams in order. */
  readonly correct: boolean;
  readonly events: number;
  readonly effects: number;
  /** Events with no effect, events with more than one, effects of no event. */
  readonly missing: number;
  readonly doubled: number;
  readonly strangers: number;
  /** Effects committed out of their stream's order. */
  readonly order_violations: number;
}

export interface EffectServiceOptions {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** The service's own schema (migrated: inbox tables) where its effect table goes too. */
  readonly schema: string;
  readonly source: OrdersService;
  /** Called for every message whose effect committed, right after its inbox transaction returned. */
  readonly onEffect: (entry: InboxEntry, committedMs: number) => void;
  readonly track: (streamName: string) => void;
}

/**
 * A second service in the same process: its own schema (`migrate`), `createPostgresInbox`,
 * its own NATS transport and `createIntegrationConsumer` with Duet's defaults. The inbox
 * is wrapped only to take the time after each transaction returns.
 */
export async function openEffectService(options: EffectServiceOptions): Promise<EffectService> {
  const { schema, source } = options;
  const executor = createPgExecutor({ connectionString: options.databaseUrl });
  await migrate(executor, { schema });
  await executor.query(
    `CREATE TABLE ${schema}.effects (
       seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id uuid NOT NULL,
       stream text NOT NULL,
       stream_version bigint NOT NULL,
       amount integer NOT NULL
     )`,
  );
  const inbox = createPostgresInbox({ executor, schema });
  const batches = { count: 0, messages: 0, ms: 0 };
  const timedInbox: Inbox<SqlTransaction> = {
    ...inbox,
    async run(consumer, entries, handle, runOptions) {
      const started = performance.now();
      const outcomes = await inbox.run(consumer, entries, handle, runOptions);
      const now = performance.now();
      let handled = 0;
      outcomes.forEach((outcome, index) => {
        const entry = entries[index];
        if (outcome !== 'handled' || entry === undefined) return;
        handled += 1;
        options.onEffect(entry, now);
      });
      if (handled > 0) {
        batches.count += 1;
        batches.messages += handled;
        batches.ms += now - started;
      }
      return outcomes;
    },
  };
  const deadLetters = testDeadLetters();
  options.track(deadLetters.stream);
  const transport = await openNatsTransport({
    servers: options.natsUrl,
    deadLetters,
    warn: (message) => process.stderr.write(`  nats: ${message}\n`),
  });
  await transport.ensureStreams([source.stream]);
  const consumer = createIntegrationConsumer({
    name: 'bench_effects',
    transport,
    inbox: timedInbox,
    source: source.stream,
    contracts: source.contracts,
    async handle(message, { tx }) {
      const data = message.data as OrderEvent['data'];
      await tx.query(
        `INSERT INTO ${schema}.effects (event_id, stream, stream_version, amount) VALUES ($1, $2, $3, $4)`,
        [message.id, message.stream, message.streamVersion, data.amount],
      );
    },
  });
  return {
    consumer,
    batches,
    async check(storeSchema) {
      const { rows } = await executor.query<Record<keyof Omit<EffectCheck, 'correct'>, string>>(
        `WITH counts AS (SELECT event_id, count(*) AS n FROM ${schema}.effects GROUP BY event_id)
         SELECT
           (SELECT count(*) FROM ${storeSchema}.events) AS events,
           (SELECT count(*) FROM ${schema}.effects) AS effects,
           (SELECT count(*) FROM ${storeSchema}.events e
              WHERE NOT EXISTS (SELECT 1 FROM counts c WHERE c.event_id = e.id)) AS missing,
           (SELECT count(*) FROM counts WHERE n > 1) AS doubled,
           (SELECT count(*) FROM counts c
              WHERE NOT EXISTS (SELECT 1 FROM ${storeSchema}.events e WHERE e.id = c.event_id)) AS strangers,
           (SELECT count(*) FROM (
              SELECT stream_version, lag(stream_version) OVER (PARTITION BY stream ORDER BY seq) AS prev
                FROM ${schema}.effects) o
              WHERE o.prev IS NOT NULL AND o.stream_version <> o.prev + 1) AS order_violations`,
      );
      const row = rows[0];
      const n = (key: keyof Omit<EffectCheck, 'correct'>) => Number(row?.[key] ?? -1);
      const check = {
        events: n('events'),
        effects: n('effects'),
        missing: n('missing'),
        doubled: n('doubled'),
        strangers: n('strangers'),
        order_violations: n('order_violations'),
      };
      return {
        correct:
          check.events === check.effects &&
          check.missing === 0 &&
          check.doubled === 0 &&
          check.strangers === 0 &&
          check.order_violations === 0,
        ...check,
      };
    },
    async close() {
      await consumer.stop();
      await transport.close();
      await executor.close();
    },
  };
}
