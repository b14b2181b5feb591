import {
  type ForgetResult,
  PersonalDataForgotten,
  type Position,
  personalDataStream,
} from '@duet/core';
import type { PostgresEventStore } from '../event-store/postgres-event-store.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { quoteSchema } from '../schema-name.ts';
import type { PostgresPersonalDataKeys } from './postgres-personal-data-keys.ts';

/** What `forgetPersonalData` takes. */
export interface ForgetPersonalDataOptions {
  /** The owning service's store; its registry must know `PersonalDataForgotten`. */
  readonly store: PostgresEventStore;
  /** The service's key table, in the store's database. */
  readonly keys: PostgresPersonalDataKeys;
  readonly subject: string;
  /** Who asked: recorded on the erasure event (a staff id, `cli`). */
  readonly by: string;
  /**
   * Streams whose snapshots to delete in the same transaction (the subject's own, say): a
   * snapshot is decided state in plain text, and the next command folds the events again.
   */
  readonly streams?: readonly string[];
}

/** What a forget did: the key's fate, and the erasure event's position (null when it was recorded before). */
export interface ForgetPersonalDataResult extends ForgetResult {
  readonly stream: string;
  readonly position: Position | null;
}

/**
 * Forgets a data subject: deletes its key (keeping a tombstone) and appends
 * `PersonalDataForgotten { subject, forgottenAt, by }` to `personal_data-<subject>` (and
 * deletes the snapshots of `streams`) in ONE transaction, then vacuums the key table. Idempotent: a second call changes nothing
 * and records nothing. Every read, projection, rebuild and relay afterwards sees the
 * subject's fields as forgotten.
 *
 * @example
 * const { deleted, position } = await forgetPersonalData({ store, keys, subject: 'customer-7', by: 'staff:ada' });
 */
export async function forgetPersonalData(
  options: ForgetPersonalDataOptions,
): Promise<ForgetPersonalDataResult> {
  const { store, keys, subject, by } = options;
  const stream = personalDataStream(subject);
  const result = await store.transaction(async (tx) => {
    const forgot = await keys.forgetIn(tx, subject);
    if (options.streams && options.streams.length > 0) {
      await tx.query(
        `DELETE FROM ${quoteSchema(store.schema)}.snapshots
          WHERE tenant = ${CURRENT_TENANT_SQL} AND stream = ANY($1::text[])`,
        [options.streams],
      );
    }
    for await (const _recorded of tx.readStream(stream, { maxCount: 1 })) {
      return { ...forgot, stream, position: null };
    }
    const erasure = PersonalDataForgotten.create({ subject, forgottenAt: forgot.forgottenAt, by });
    const { position } = await tx.append(stream, [erasure], { expectedVersion: 'no_stream' });
    return { ...forgot, stream, position };
  });
  await keys.vacuum();
  return result;
}
