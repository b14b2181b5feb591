import type { SqlExecutor } from '@duet/postgres';

/**
 * For the scale bench's comparison only: puts a NOTIFY inside `<schema>.append_events_quiet`
 * (the function the store calls on PostgreSQL since migration 009), as every append had
 * before, so every append transaction commits holding PostgreSQL's notify lock again. (The store still sends its own NOTIFY after the commit too: a small
 * extra, which makes this mode a little slower than the old store was.) Throws if the
 * function's definition is not as this expects.
 *
 * @example
 * await restoreAppendNotify(executor, 'scale_in_transaction_4', eventsChannel(schema));
 */
export async function restoreAppendNotify(
  executor: SqlExecutor,
  schema: string,
  channel: string,
): Promise<void> {
  const { rows } = await executor.query<{ def: string }>(
    'SELECT pg_get_functiondef($1::regprocedure) AS def',
    [`"${schema}".append_events_quiet(jsonb)`],
  );
  const definition = rows[0]?.def ?? '';
  if (definition.includes('pg_notify')) {
    throw new Error(`${schema}.append_events_quiet already notifies`);
  }
  const ending = /END\s*\$function\$\s*$/;
  if (!ending.test(definition)) throw new Error(`unexpected end of ${schema}.append_events_quiet`);
  const notify = `  IF last_seq IS NOT NULL THEN
    PERFORM pg_notify('${channel}', lpad(to_hex(pg_current_xact_id()::text::bigint), 16, '0') || '-' || lpad(to_hex(last_seq), 16, '0'));
  END IF;
END
$function$
`;
  await executor.query(definition.replace(ending, notify));
}
