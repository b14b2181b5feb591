import { type ProcessorDefinition, START_POSITION, ValidationError } from '@duet/core';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { tenantGrantStatements } from '../../migrations/tenant-tables.ts';
import { retryCatalogRace } from '../../migrations/with-schema-lock.ts';
import { projectionTables } from '../../read-models/projection-tables.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import { insertCheckpoints, readPartitionCount } from '../tables/checkpoints-table.ts';
import { insertProcessorName, readActiveVersion } from '../tables/registry-table.ts';

/** Where a projection version stands against the one queries read. */
export type Registration = 'active' | 'building' | 'superseded';

/**
 * Registers a processor version in the read-model database, once: the first version of a
 * name becomes active at once; a newer one builds beside it (blue-green); an older one
 * than the active is superseded and does not run. A new version's tables are created by
 * its `setup` (projections only) in the same transaction as its checkpoints, so a crash leaves both or neither.
 */
export async function registerProjection(
  readModels: SqlExecutor,
  schema: string,
  readModelSchema: string,
  projection: ProcessorDefinition,
): Promise<{ registration: Registration; activeVersion: number }> {
  const { name, version, partitions } = projection;
  // Retried when it lost a catalog race (isCatalogRace): another runner created the schema.
  return retryCatalogRace(() =>
    readModels.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `duet.projections.${schema}.${name}`,
      ]);
      // The read models' schema holds what `setup` creates, not Duet's tables: like those
      // tables, it is made when a processor first needs it. Two runners creating it at once
      // would collide in the catalog (23505), hence the lock.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `duet.read-models.${readModelSchema}`,
      ]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(readModelSchema)}`);
      // Tenant requests read the read models as duet_app (isolateTenants).
      for (const grant of tenantGrantStatements(quoteIdentifier(readModelSchema))) {
        await tx.query(grant);
      }
      await insertProcessorName(tx, schema, name, version);
      const activeVersion = (await readActiveVersion(tx, schema, name)) ?? version;
      if (activeVersion > version) return { registration: 'superseded', activeVersion };
      const stored = await readPartitionCount(tx, schema, name, version);
      if (stored === undefined) {
        if (projection.kind === 'projection') {
          await projection.setup(tx, projectionTables(readModelSchema, name, version));
        }
        await insertCheckpoints(
          tx,
          schema,
          { name, version, partitions },
          START_POSITION,
          version > activeVersion ? 'rebuilding' : 'catching_up',
        );
      } else if (stored !== partitions) {
        throw new ValidationError(`${projection.kind} ${name} option partitions`, [
          {
            path: ['partitions'],
            message: `version ${version} was set up with ${stored} partitions; to change it, bump the version`,
          },
        ]);
      }
      return { registration: activeVersion === version ? 'active' : 'building', activeVersion };
    }),
  );
}
