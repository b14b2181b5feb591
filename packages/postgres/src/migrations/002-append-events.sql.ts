import { DEFAULT_IDEMPOTENCY_TTL_MS } from '@duet/core';
import { appendLockStatement } from '../event-store/read-horizon.ts';
import { streamLockKey } from '../event-store/stream-lock.ts';
import type { Migration, MigrationTarget } from './migration.ts';

/**
 * `append_events(batch jsonb)`: the one statement every append runs. A batch is a JSON
 * array of appends, each
 * `{ stream, category, expected, at, checkIds, events: [{ id, type, schemaVersion, data, metadata }] }`
 * with `expected` one of 'any', 'no_stream', 'stream_exists' or a version as digits.
 * It returns one row per append (r_index: its place in the batch; rows need not come in
 * batch order):
 * - 'ok': stored; r_version is the stream's new version, r_tx_ids / r_seqs the positions;
 * - 'idempotent': the append was stored before (same ids, order, stream, type and data,
 *   the whole append): nothing stored, the original positions returned;
 * - 'duplicate': an event id is stored with other content (r_event_id): nothing stored;
 * - 'conflict': the expected version did not match; r_version is the actual one;
 * - 'late': this transaction got its id before the transaction that wrote the stream's
 *   last event, so its events would sort before that one in the global order: nothing
 *   stored (only a caller's transaction that wrote before appending can get here).
 * Each append's check is its own, so one conflict never fails its neighbours. The caller
 * sorts the batch by stream: that order is the order stream locks are taken in.
 * The events of the appends that pass their checks go in with one INSERT per batch (one
 * executor start-up instead of one per append: about 18 % less server CPU per one-event
 * append in a batch of 21), flushed early only before an id probe so it sees them.
 * (Edited in place before the first release: SET enable_seqscan = off; one INSERT per batch;
 * the id probe's id as a column of its own, so row-level security keeps it an index look-up.)
 */
/**
 * Inserts the events of the appends that passed their checks since the last flush (the
 * `pending_*` arrays) in one INSERT, returns an 'ok' row for each, and empties the list:
 * one executor start-up per batch instead of one per append.
 */
function flushPending(s: string, keys: boolean, tenants: boolean): string {
  return `IF cardinality(pending_index) > 0 THEN
      WITH inserted AS (
          INSERT INTO ${s}.events
            (${tenants ? 'tenant, ' : ''}id, stream, stream_version, category, type, schema_version, data, metadata,
             recorded_at, append_index, append_size)
          SELECT ${tenants ? 'own_tenant, ' : ''}(x.value->>'id')::uuid, p.stream, p.version - p.n + x.ordinality,
                 p.category, x.value->>'type', (x.value->>'schemaVersion')::integer,
                 x.value->'data', x.value->'metadata', p.at, x.ordinality - 1, p.n
            FROM unnest(pending_index, pending_events, pending_stream, pending_category,
                        pending_version, pending_n, pending_at)
                   AS p(i, events, stream, category, version, n, at)
           CROSS JOIN LATERAL jsonb_array_elements(p.events) WITH ORDINALITY AS x
           ORDER BY p.i, x.ordinality
          RETURNING seq
        )
        -- Rows take their seq in the order the ORDER BY feeds them in: by append, then by
        -- version. So the sorted seqs are the appends' seqs one after another.
        SELECT array_agg(inserted.seq::text ORDER BY inserted.seq), max(inserted.seq)
          INTO flushed_seqs, flushed_top
          FROM inserted;
      last_seq := greatest(last_seq, flushed_top);
      flushed_xid := pg_current_xact_id()::text;
      flushed_count := 0;
      FOR k IN 1 .. cardinality(pending_index) LOOP
        r_index := pending_index[k];
        r_outcome := 'ok';
        r_version := pending_version[k];
        r_tx_ids := array_fill(flushed_xid, ARRAY[pending_n[k]]);
        r_seqs := flushed_seqs[flushed_count + 1 : flushed_count + pending_n[k]];
        r_event_id := NULL;
        flushed_count := flushed_count + pending_n[k];${keys ? completeKey(s, tenants) : ''}
        RETURN NEXT;
      END LOOP;
      pending_index := '{}';
      pending_events := '{}';
      pending_stream := '{}';
      pending_category := '{}';
      pending_version := '{}';
      pending_n := '{}';
      pending_at := '{}';${keys ? "\n      pending_key := '{}';" : ''}
    END IF;`;
}

/**
 * (Migration 007.) Completes the append's claimed idempotency key, if it carries one, in
 * this transaction: the key's result is the caller's `result` plus the append's stream,
 * version and position (formatted as `makePosition` does). A key not held with this token
 * in this schema (taken over, or kept in another schema) is left alone.
 */
function completeKey(s: string, tenants: boolean): string {
  return `
        IF pending_key[k] IS NOT NULL THEN
          UPDATE ${s}.idempotency_keys AS ik
             SET state = 'completed',
                 result = coalesce(pending_key[k]->'result', '{}'::jsonb) || jsonb_build_object(
                   'stream', pending_stream[k],
                   'streamVersion', pending_version[k],
                   'position', lpad(to_hex(flushed_xid::bigint), 16, '0') || '-' ||
                               lpad(to_hex(r_seqs[cardinality(r_seqs)]::bigint), 16, '0')),
                 expires_at = now() + coalesce(ik.ttl_ms, ${DEFAULT_IDEMPOTENCY_TTL_MS}) * interval '1 millisecond'
           WHERE ${tenants ? 'ik.tenant = own_tenant AND ' : ''}ik.scope = pending_key[k]->>'scope' AND ik.key = pending_key[k]->>'key'
             AND ik.token = pending_key[k]->>'token' AND ik.state = 'pending';
        END IF;`;
}

export const appendEventsMigration: Migration = {
  version: 2,
  name: 'append-events',
  statements: (target) => [
    appendEventsFunction(target, { idempotencyKeys: false, tenants: false, notify: true }),
  ],
};

/**
 * The `append_events` function's definition. With `idempotencyKeys` (migration 007) an
 * append may carry `idempotencyKey: { scope, key, token, result }`, completed with it.
 * With `tenants` (migration 008) every row it reads or writes is the current tenant's
 * (`duet.tenant`, `''` for the system's), also for a role that row policies let see all.
 * With `notify` it NOTIFYs the store's channel inside the append's transaction (every
 * `append_events`); without, it is `append_events_quiet` (migration 009), which the store
 * calls on PostgreSQL and follows with a NOTIFY of its own after the commit.
 */
export function appendEventsFunction(
  { schema: s, name, channel }: MigrationTarget,
  options: {
    readonly idempotencyKeys: boolean;
    readonly tenants: boolean;
    readonly notify: boolean;
    /**
     * `append_events_part` (migration 010): one tenant's part of
     * `append_events_across_tenants`, without the check for a late transaction.
     */
    readonly part?: boolean;
  },
): string {
  const keys = options.idempotencyKeys;
  const tenants = options.tenants;
  // The streams row of the current tenant (a stream name may exist in several).
  const ownStream = (alias: string, stream: string) =>
    `${tenants ? `${alias}.tenant = own_tenant AND ` : ''}${alias}.stream = ${stream}`;
  const conflictTarget = tenants ? '(tenant, stream)' : '(stream)';
  const fn = options.part
    ? 'append_events_part'
    : options.notify
      ? 'append_events'
      : 'append_events_quiet';
  return `${keys ? 'CREATE OR REPLACE' : 'CREATE'} FUNCTION ${s}.${fn}(batch jsonb)
RETURNS TABLE (
  r_index integer, r_outcome text, r_version bigint, r_tx_ids text[], r_seqs text[], r_event_id text
)
LANGUAGE plpgsql
-- PL/pgSQL keeps the plans it made while the table was small: a sequential scan of
-- events (the id probe, the last writer's look-up) planned on an empty table would stay
-- and make every append read the whole table once it is large (seen: 1,100 appends/s
-- falling to 160 by 64k events, autovacuum being off). Every statement here is an index
-- look-up, so forbid the scan instead of re-planning each call.
SET enable_seqscan = off
-- Plan each statement once: a custom plan per call re-plans the batch INSERT every time.
SET plan_cache_mode = force_generic_plan
AS $append$
DECLARE
  item jsonb;
  item_index integer;
  n integer;
  expected text;
  at timestamptz;
  stored integer;
  same integer;
  starts integer;
  new_version bigint;
  stream_name text;
  locked_stream text;
  own_xid xid8;
  last_xid xid8;
  last_seq bigint;
  -- The appends that passed their checks and wait for the next flush, one entry each.
  pending_index integer[] := '{}';
  pending_events jsonb[] := '{}';
  pending_stream text[] := '{}';
  pending_category text[] := '{}';
  pending_version bigint[] := '{}';
  pending_n integer[] := '{}';
  pending_at timestamptz[] := '{}';${keys ? "\n  pending_key jsonb[] := '{}';" : ''}
  flushed_seqs text[];
  flushed_top bigint;
  flushed_xid text;
  flushed_count integer;
  k integer;${tenants ? "\n  own_tenant text := coalesce(current_setting('duet.tenant', true), '');" : ''}
BEGIN
  -- Before this transaction has an id: readers wait for lock holders (read-horizon.ts).
  ${appendLockStatement(name)}
  -- One writer per stream at a time, locked before this statement writes anything: a
  -- transaction that waits here for another gets its id only after that one committed,
  -- so its id is larger, and (tx_id, seq) order agrees with version order in every
  -- stream. Advisory locks assign no transaction id. Locks go in batch order (sorted by
  -- stream name by the caller), the same in every batch, so batches cannot deadlock.
  FOR stream_name IN
    SELECT b.value->>'stream' FROM jsonb_array_elements(batch) WITH ORDINALITY AS b
     ORDER BY b.ordinality
  LOOP
    IF stream_name IS DISTINCT FROM locked_stream THEN
      PERFORM pg_advisory_xact_lock(${streamLockKey(name, 'stream_name')});
      locked_stream := stream_name;
    END IF;
  END LOOP;
  ${
    options.part
      ? `-- Called by append_events_across_tenants, which took every stream lock of its batch
  -- before the transaction's first write: no stream's last writer can be newer than it.
  own_xid := NULL;`
      : `-- Set only in a caller's transaction that wrote before this call: it may be older than
  -- the last writer of a stream (checked per append below).
  own_xid := pg_current_xact_id_if_assigned();`
  }

  FOR item, item_index IN
    SELECT b.value, b.ordinality::integer - 1 FROM jsonb_array_elements(batch) WITH ORDINALITY AS b
  LOOP
    -- The id probe below must see this batch's earlier appends (a retry in the same batch).
    IF (item->>'checkIds')::boolean THEN
      ${flushPending(s, keys, tenants)}
    END IF;
    r_index := item_index;
    r_version := NULL;
    r_tx_ids := NULL;
    r_seqs := NULL;
    r_event_id := NULL;
    n := jsonb_array_length(item->'events');
    at := (item->>'at')::timestamptz;

    -- Only appends that carry caller-given ids can be retries: the others skip the probe.
    -- A retry must resend one whole stored append: same ids in the same order, each at
    -- its index in an append of the same size, at consecutive versions of the same stream,
    -- with the same type and data.
    IF (item->>'checkIds')::boolean THEN
      SELECT count(e.id)::integer,
             (count(e.id) FILTER (
               WHERE ${tenants ? 'e.tenant = own_tenant AND ' : ''}e.stream = item->>'stream' AND e.type = x.value->>'type'
                 AND e.data = x.value->'data' AND e.append_index = x.ordinality - 1
                 AND e.append_size = n
             ))::integer,
             count(DISTINCT e.stream_version - x.ordinality)::integer,
             coalesce(
               min(e.id::text) FILTER (
                 WHERE e.stream <> item->>'stream' OR e.type <> x.value->>'type' OR e.data <> x.value->'data'
               ),
               min(e.id::text)
             ),
             array_agg(e.tx_id::text ORDER BY x.ordinality),
             array_agg(e.seq::text ORDER BY x.ordinality),
             max(e.stream_version)
        INTO stored, same, starts, r_event_id, r_tx_ids, r_seqs, r_version
        FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS x
        -- The id as a column of its own (OFFSET 0 keeps it one): under row-level security
        -- a condition that applies a function that is not leakproof (->>, the uuid cast) to
        -- a column must wait for the policy's, so found.id = (x.value->>'id')::uuid became
        -- a filter over every row of the tenant (17 ms at 30,000 events, growing with the
        -- tenant). found.id = wanted.id uses only uuid_eq, which is: an index look-up.
        CROSS JOIN LATERAL (SELECT (x.value->>'id')::uuid AS id OFFSET 0) AS wanted
        -- One index probe per id: as a plain join the planner may pick a merge join
        -- that walks the whole id index.
        LEFT JOIN LATERAL (
          SELECT * FROM ${s}.events AS found WHERE found.id = wanted.id LIMIT 1
        ) AS e ON true;
      IF stored > 0 THEN
        IF stored = n AND same = n AND starts = 1 THEN
          r_event_id := NULL;
          r_outcome := 'idempotent';
        ELSE
          r_tx_ids := NULL;
          r_seqs := NULL;
          r_version := NULL;
          r_outcome := 'duplicate';
        END IF;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;

    -- An older transaction id than the stream's last writer's: appending would put these
    -- events before that one in the global order. Only a new transaction can fix that.
    IF own_xid IS NOT NULL THEN
      SELECT e.tx_id, st.version INTO last_xid, r_version
        FROM ${s}.streams AS st
        JOIN ${s}.events AS e ON ${tenants ? 'e.tenant = st.tenant AND ' : ''}e.stream = st.stream AND e.stream_version = st.version
       WHERE ${ownStream('st', "item->>'stream'")};
      IF last_xid > own_xid THEN
        r_outcome := 'late';
        RETURN NEXT;
        CONTINUE;
      END IF;
      r_version := NULL;
    END IF;

    -- The expected-version check and the version bump are one conditional write on the
    -- streams row: no row back means a conflict.
    new_version := NULL;
    expected := item->>'expected';
    IF expected = 'any' THEN
      INSERT INTO ${s}.streams AS st (${tenants ? 'tenant, ' : ''}stream, version, created_at, updated_at)
      VALUES (${tenants ? 'own_tenant, ' : ''}item->>'stream', n, at, at)
      ON CONFLICT ${conflictTarget} DO UPDATE SET version = st.version + n, updated_at = excluded.updated_at
      RETURNING st.version INTO new_version;
    ELSIF expected = 'no_stream' THEN
      INSERT INTO ${s}.streams AS st (${tenants ? 'tenant, ' : ''}stream, version, created_at, updated_at)
      VALUES (${tenants ? 'own_tenant, ' : ''}item->>'stream', n, at, at)
      ON CONFLICT ${conflictTarget} DO NOTHING
      RETURNING st.version INTO new_version;
    ELSIF expected = 'stream_exists' THEN
      UPDATE ${s}.streams AS st SET version = st.version + n, updated_at = at
       WHERE ${ownStream('st', "item->>'stream'")}
      RETURNING st.version INTO new_version;
    ELSE
      UPDATE ${s}.streams AS st SET version = st.version + n, updated_at = at
       WHERE ${ownStream('st', "item->>'stream'")} AND st.version = expected::bigint
      RETURNING st.version INTO new_version;
    END IF;
    IF new_version IS NULL THEN
      SELECT st.version INTO r_version FROM ${s}.streams AS st WHERE ${ownStream('st', "item->>'stream'")};
      r_version := coalesce(r_version, 0);
      r_outcome := 'conflict';
      RETURN NEXT;
      CONTINUE;
    END IF;

    -- Its events go in with the next flush.
    pending_index := pending_index || item_index;
    pending_events := pending_events || (item->'events');
    pending_stream := pending_stream || (item->>'stream');
    pending_category := pending_category || (item->>'category');
    pending_version := pending_version || new_version;
    pending_n := pending_n || n;
    pending_at := pending_at || at;${keys ? "\n    pending_key := array_append(pending_key, item->'idempotencyKey');" : ''}
  END LOOP;
  ${flushPending(s, keys, tenants)}

${options.notify ? notifyStatement(channel) : ''}END
$append$`;
}

const notifyStatement = (
  channel: string,
) => `  -- Delivered after commit, never before; the payload is a hint (the batch's last
  -- position), subscribers re-read from their own position either way.
  IF last_seq IS NOT NULL THEN
    PERFORM pg_notify(
      '${channel}',
      lpad(to_hex(pg_current_xact_id()::text::bigint), 16, '0') || '-' || lpad(to_hex(last_seq), 16, '0')
    );
  END IF;
`;
