import type { SqlTransaction } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import {
  type AppendOutcome,
  type AppendWake,
  inStreamOrder,
  type OutcomeRow,
  type PlacedAppend,
  toOutcomes,
} from './append-batch.ts';
import type { PreparedAppend } from './prepare-append.ts';

/** An append and the tenant whose scope it was made in. */
export interface TenantAppend extends PreparedAppend {
  readonly tenant: string;
}

/**
 * The schema has no `append_events_across_tenants` (migration 010 not applied): nothing
 * was stored, and the appends can go one tenant at a time.
 */
export class AcrossTenantsMissingError extends Error {
  override readonly name = 'AcrossTenantsMissingError';
}

const undefinedFunction = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === '42883';

/**
 * Appends the batches of several tenants in one statement and one transaction
 * (`append_events_across_tenants`, migration 010): all stream locks of all tenants first,
 * then each tenant's appends as that tenant. Run it in the system scope. Outcomes come
 * back in the order of `appends`; it throws only when the statement failed (then nothing
 * was stored), `AcrossTenantsMissingError` when the schema lacks the function.
 */
export async function appendAcrossTenants(
  tx: SqlTransaction,
  schema: string,
  appends: readonly TenantAppend[],
  wake: AppendWake,
): Promise<AppendOutcome[]> {
  const byTenant = new Map<string, PlacedAppend<TenantAppend>[]>();
  const locks: string[] = [];
  for (const placed of inStreamOrder(appends)) {
    const { stream, tenant } = placed.append;
    // Every tenant's streams, locked in the order every batch locks in.
    if (locks[locks.length - 1] !== stream) locks.push(stream);
    const part = byTenant.get(tenant);
    if (part) part.push(placed);
    else byTenant.set(tenant, [placed]);
  }
  // r_index counts through the tenants' appends in the order they are sent.
  const sent = [...byTenant.values()].flat();
  const tenants = [...byTenant].map(
    ([tenant, part]) =>
      `{"tenant":${JSON.stringify(tenant)},"appends":[${part.map(({ append }) => append.json).join(',')}]}`,
  );
  const batch = `{"locks":${JSON.stringify(locks)},"tenants":[${tenants.join(',')}]}`;
  let rows: OutcomeRow[];
  try {
    ({ rows } = await tx.query<OutcomeRow>(
      `SELECT r_index, r_outcome, r_version, r_tx_ids, r_seqs, r_event_id
         FROM "${schema}".append_events_across_tenants($1::text::jsonb, $2)`,
      [batch, wake === 'in-transaction'],
    ));
  } catch (error) {
    if (undefinedFunction(error)) {
      throw new AcrossTenantsMissingError(
        `schema "${schema}" has no append_events_across_tenants (migration 010)`,
        { cause: error },
      );
    }
    throw explainMissingSchema(error, schema);
  }
  return toOutcomes(sent, rows);
}
