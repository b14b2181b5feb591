import type { SqlExecutor } from '@duet/postgres';

/**
 * For the scale bench's comparison only: redefines `<schema>.append_events` without its
 * per-commit `pg_notify`, so appends run as they would if readers were woken another way.
 * Throws if the function no longer has the NOTIFY block this expects. Resolves to the
 * channel it notified on.
 *
 * @example
 * const channel = await stripAppendNotify(executor, 'scale_quiet');
 */
export async function stripAppendNotify(executor: SqlExecutor, schema: string): Promise<string> {
  const { rows } = await executor.query<{ def: string }>(
    'SELECT pg_get_functiondef($1::regprocedure) AS def',
    [`"${schema}".append_events(jsonb)`],
  );
  const definition = rows[0]?.def ?? '';
  const stripped = definition.replace(
    /IF last_seq IS NOT NULL THEN\s*PERFORM pg_notify\([\s\S]*?\);\s*END IF;/,
    '',
  );
  const channel = /PERFORM pg_notify\(\s*'([a-z0-9_]+)'/.exec(definition)?.[1];
  if (stripped === definition || channel === undefined) {
    throw new Error(`no NOTIFY found in ${schema}.append_events`);
  }
  await executor.query(stripped);
  return channel;
}
