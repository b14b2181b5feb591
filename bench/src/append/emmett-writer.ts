import type { Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import type { AppendSystem } from './append-system.ts';

type EmmettBenchEvent = Event<string, Record<string, unknown>>;

/**
 * Pool size for Emmett. Tried 10, 16, 24, 32 and 64 on 8x1, 8x10 and 64x1 here: 10 to 32
 * are within noise of each other, 64 is clearly worse (64 backends on 2 cores), so it gets
 * pg's default of 10, the same as Duet's executor.
 */
const EMMETT_POOL_SIZE = 10;

/**
 * Emmett 0.42's PostgreSQL store, in its own database (its table names are fixed), at
 * its best settings: schema migrated once before timing (autoMigration 'None' after, so
 * no append checks it), no inline projections, and a pg.Pool per shape of up to
 * `EMMETT_POOL_SIZE` connections (one per writer below that).
 */
export async function openEmmett(connectionString: string): Promise<AppendSystem> {
  const setup = getPostgreSQLEventStore(connectionString);
  await setup.schema.migrate();
  await setup.close();

  return {
    async openSession(shape) {
      const pool = new pg.Pool({
        connectionString,
        max: Math.min(shape.writers, EMMETT_POOL_SIZE),
      });
      const store = getPostgreSQLEventStore(connectionString, {
        schema: { autoMigration: 'None' },
        connectionOptions: { pool },
      });
      return {
        async append(_writer, stream, version, events) {
          await store.appendToStream<EmmettBenchEvent>(stream, events, {
            expectedStreamVersion: BigInt(version),
          });
        },
        async close() {
          await store.close();
          await pool.end();
        },
      };
    },
    async close() {},
  };
}
