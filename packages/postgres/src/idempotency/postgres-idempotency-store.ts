import { randomUUID } from 'node:crypto';
import type { IdempotencyClaim, IdempotencyStore, IdempotencyStoreOptions } from '@duet/core';
import { checkIdempotencyInput, resolveIdempotencyStoreOptions } from '@duet/core/adapters';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';

/** Options of `createPostgresIdempotencyStore`. */
export interface PostgresIdempotencyStoreOptions extends IdempotencyStoreOptions {
  readonly executor: SqlExecutor;
  /** The schema the table lives in (default 'duet'), migrated by `migrate` (006-idempotency-keys). */
  readonly schema?: string;
}

interface KeyRow {
  request_hash: string;
  state: 'pending' | 'completed';
  result: string | null;
}

/**
 * The idempotency store on PostgreSQL or PGlite. Claims are one `INSERT ... ON CONFLICT`,
 * so of any number of concurrent claims exactly one wins; the database's clock decides
 * expiry, so instances with skewed clocks agree. The table comes from `migrate`. On the
 * event store's executor and schema, an append given the claim (`idempotencyKey`)
 * completes the key in its own transaction.
 *
 * @example
 * const idempotency = createPostgresIdempotencyStore({ executor, schema: 'orders' });
 * await app.register(duetHttp, { commandBus, queryBus, commands, queries, idempotency });
 */
export function createPostgresIdempotencyStore(
  options: PostgresIdempotencyStoreOptions,
): IdempotencyStore {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const { ttlMs, lockMs } = resolveIdempotencyStoreOptions(options);
  const { executor } = options;
  const table = `"${schema}".idempotency_keys`;
  // A key is its tenant's: the same key from two tenants is two keys.
  const ownKey = `tenant = ${CURRENT_TENANT_SQL} AND scope = $1 AND key = $2`;
  // The table comes from migration 006; without it, say so instead of "relation does not exist".
  const query = async <Row>(sql: string, params: readonly unknown[] = []) => {
    try {
      return await executor.query<Row>(sql, params);
    } catch (error) {
      throw explainMissingSchema(error, schema);
    }
  };

  async function claim(
    scope: string,
    key: string,
    requestHash: string,
    claimOptions: { lockMs?: number } = {},
  ): Promise<IdempotencyClaim> {
    checkIdempotencyInput({ scope, key, requestHash, lockMs: claimOptions.lockMs });
    const token = randomUUID();
    // Takes the key when it is new, its lock expired, or its result expired; otherwise
    // returns nothing and the row as it stands tells what the caller gets.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows: won } = await query(
        // ttl_ms: how long the result lives once completed, also when an append completes it.
        `INSERT INTO ${table} AS k (scope, key, request_hash, state, token, expires_at, ttl_ms)
         VALUES ($1, $2, $3, 'pending', $4, now() + $5 * interval '1 millisecond', $6)
         ON CONFLICT (tenant, scope, key) DO UPDATE
           SET request_hash = excluded.request_hash, state = 'pending', token = excluded.token,
               result = NULL, expires_at = excluded.expires_at, ttl_ms = excluded.ttl_ms
           WHERE k.expires_at <= now()
         RETURNING token`,
        [scope, key, requestHash, token, claimOptions.lockMs ?? lockMs, ttlMs],
      );
      if (won.length > 0) return { status: 'claimed', token };
      const { rows } = await query<KeyRow>(
        `SELECT request_hash, state, result::text AS result FROM ${table}
         WHERE ${ownKey} AND expires_at > now()`,
        [scope, key],
      );
      const row = rows[0];
      // Released or expired between the two statements: try to take it again.
      if (!row) continue;
      if (row.request_hash !== requestHash) return { status: 'mismatch' };
      if (row.state === 'pending') return { status: 'in-progress' };
      return { status: 'completed', result: row.result === null ? null : JSON.parse(row.result) };
    }
    return { status: 'in-progress' };
  }

  return {
    claim,
    async complete(scope, key, token, result) {
      checkIdempotencyInput({ scope, key });
      await query(
        `UPDATE ${table}
         SET state = 'completed', result = $4::text::jsonb,
             expires_at = now() + $5 * interval '1 millisecond'
         WHERE ${ownKey} AND token = $3 AND state = 'pending'`,
        [scope, key, token, JSON.stringify(result ?? null), ttlMs],
      );
      // Expired rows are only ever overwritten by their own key; this keeps the table small.
      await query(`DELETE FROM ${table} WHERE expires_at < now() - interval '1 hour'`);
    },
    async release(scope, key, token) {
      checkIdempotencyInput({ scope, key });
      await query(`DELETE FROM ${table} WHERE ${ownKey} AND token = $3 AND state = 'pending'`, [
        scope,
        key,
        token,
      ]);
    },
  };
}
