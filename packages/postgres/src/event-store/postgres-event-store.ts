import type {
  AppendOptions,
  AppendResult,
  CommittedEventPages,
  EventRegistry,
  EventStore,
  Message,
  NewEvent,
  Position,
  RecordedEvent,
} from '@duet/core';
import {
  currentTenantScope,
  DuetError,
  ErrorCode,
  inSpan,
  openPersonalStream,
  runAsSystem,
  runInTenant,
  sealPersonalEvents,
  withPersonalData,
} from '@duet/core';
import { duetInstruments } from '@duet/core/adapters';
import { SpanKind } from '@opentelemetry/api';
import { createNotifyWakeUp } from '../executor/notify-wake-up.ts';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { eventsChannel } from '../schema-name.ts';
import {
  AcrossTenantsMissingError,
  appendAcrossTenants,
  type TenantAppend,
} from './append-across-tenants.ts';
import { appendBatch } from './append-batch.ts';
import { chooseAppendWake, highestPosition } from './append-wake.ts';
import { createGroupCommit } from './group-commit.ts';
import { headPosition } from './head-position.ts';
import { laterMigrationFunction } from './later-migration-function.ts';
import { oldestRunningTransaction, type RunningTransaction } from './oldest-running-transaction.ts';
import { perTenantScope } from './per-tenant-scope.ts';
import {
  type PostgresEventStoreOptions,
  resolveEventStoreOptions,
} from './postgres-event-store-options.ts';
import { type PreparedAppend, prepareAppend } from './prepare-append.ts';
import { readAll } from './read-all.ts';
import { readCommittedPage } from './read-committed-page.ts';
import { appendLockSql } from './read-horizon.ts';
import { type ReadForwardPage, readStream } from './read-stream.ts';
import { streamInfo } from './stream-info.ts';
import { createStreamPageBatches } from './stream-page-batches.ts';
import { subscribe } from './subscribe.ts';

/** What a `store.transaction` callback gets: append and query in the caller's transaction. */
export interface EventStoreTransaction {
  /** Appends inside this transaction (no group commit): it commits or rolls back with it. */
  readonly append: EventStore['append'];
  /**
   * Reads a stream through this transaction: it sees what the transaction appended, and on
   * PGlite (one connection) it does not wait for the transaction as `store.readStream` would.
   */
  readonly readStream: EventStore['readStream'];
  readonly query: SqlTransaction['query'];
}

/** The PostgreSQL / PGlite event store: the core port plus transactions and diagnostics. */
export interface PostgresEventStore extends EventStore, CommittedEventPages, AsyncDisposable {
  /** Where the events live: pass the store itself as a projection runner's `store`. */
  readonly executor: SqlExecutor;
  readonly schema: string;
  readonly events: EventRegistry | undefined;
  /**
   * Runs `fn` in one database transaction: appends and your own statements commit
   * together when it resolves and roll back together when it throws.
   */
  transaction<T>(fn: (tx: EventStoreTransaction) => Promise<T>): Promise<T>;
  /** What holds `readAll` back: the oldest running transaction that appends here, or null. */
  oldestRunningTransaction(): Promise<RunningTransaction | null>;
  /**
   * Finishes queued appends and the stream pages being read, and stops listening; later
   * appends fail with `STORE_CLOSED`, later reads still run. The executor stays open: whoever opened
   * it closes it (`await executor.close()`), or the process does not exit. A store from
   * `openPostgresEventStore` owns its connection and closes it here.
   */
  close(): Promise<void>;
}

const eventCount = (appends: readonly PreparedAppend[]) =>
  appends.reduce((sum, append) => sum + append.count, 0);

/**
 * An event store on PostgreSQL or PGlite, on an executor you opened and close yourself
 * (`close()` leaves it open for the other stores and runners that share it). For a store
 * that owns its connection, use `openPostgresEventStore`. Run `migrate(executor, { schema })` first.
 * Concurrent appends are group-committed: one transaction and one round trip per batch,
 * each append with its own expected-version check.
 *
 * @example
 * await migrate(executor);
 * const store = createPostgresEventStore({ executor, events: createEventRegistry([ItemAdded]) });
 * const { position } = await store.append('cart-1', [ItemAdded.create({ sku: 'a', quantity: 1 })]);
 */
export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  const config = resolveEventStoreOptions(options);
  const { executor, schema } = config;
  const context = { registry: config.events, limits: config.limits, now: config.now };
  // How appends wake readers: after the commit on PostgreSQL, in it on PGlite (append-wake.ts).
  const wake = chooseAppendWake(executor, schema);
  // One group commit per scope: the system's, none (a plain executor), and on a
  // tenant-isolated executor one shared by all tenants, whose batches run as one
  // transaction across tenants (append-across-tenants.ts).
  const groupCommits = perTenantScope((inScope) =>
    createGroupCommit({
      ...config.groupCommit,
      run: async (appends) => {
        duetInstruments().eventsPerCommit.record(eventCount(appends), storeAttributes);
        return wake.runBatch((mode) => inScope(() => appendBatch(executor, schema, appends, mode)));
      },
    }),
  );
  // Concurrent stream reads, batched per scope where the executor isolates tenants.
  const pageBatches = perTenantScope(
    (inScope) => createStreamPageBatches(executor, schema, config.readBatch, inScope),
    { byScope: executor.tenantRole !== undefined },
  );
  const forwardPage: ReadForwardPage = (stream, first, count, signal) =>
    pageBatches.current().submit({ stream, first, count }, signal);
  const tenants = executor.tenantRole === undefined ? undefined : createTenantsGroupCommit();
  function createTenantsGroupCommit() {
    const acrossTenants = laterMigrationFunction();
    const group = createGroupCommit<TenantAppend>({
      ...config.groupCommit,
      run: async (appends) => {
        duetInstruments().eventsPerCommit.record(eventCount(appends), storeAttributes);
        const tenant = appends[0]!.tenant;
        if (appends.every((append) => append.tenant === tenant)) {
          return wake.runBatch((mode) =>
            runInTenant(tenant, () => appendBatch(executor, schema, appends, mode)),
          );
        }
        try {
          return await wake.runBatch((mode) =>
            runAsSystem(() => appendAcrossTenants(executor, schema, appends, mode)),
          );
        } catch (error) {
          // Nothing was stored; the group commit retries each append on its own.
          if (error instanceof AcrossTenantsMissingError) acrossTenants.missing();
          throw error;
        }
      },
    });
    return {
      group,
      // Without migration 010, each tenant's appends go in their own group, as before it;
      // tried again after a while, for a schema migrated meanwhile.
      usable: () => acrossTenants.mayTry(),
    };
  }
  const submit = (prepared: PreparedAppend, signal: AbortSignal | undefined) => {
    const scope = currentTenantScope();
    if (scope?.kind === 'tenant' && tenants?.usable()) {
      return tenants.group.submit({ ...prepared, tenant: scope.tenant }, signal);
    }
    return groupCommits.current().submit(prepared, signal);
  };
  const storeAttributes = { 'duet.store': schema };
  // A CLIENT span per append (database semantic conventions) and the append metrics.
  const traced = <T>(stream: string, count: number, fn: () => Promise<T>): Promise<T> =>
    inSpan(
      'duet.append',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': schema,
          'db.operation.name': 'append_events',
          'duet.stream': stream,
          'duet.events': count,
        },
      },
      async () => {
        const started = performance.now();
        const result = await fn();
        const instruments = duetInstruments();
        instruments.appendedEvents.add(count, storeAttributes);
        instruments.appendDuration.record((performance.now() - started) / 1000, storeAttributes);
        return result;
      },
    );
  const commits = createNotifyWakeUp((onNotify) =>
    executor.listen(eventsChannel(schema), onNotify),
  );

  const append = async <E extends Message>(
    stream: string,
    events: readonly NewEvent<E>[],
    appendOptions?: AppendOptions,
  ): Promise<AppendResult> =>
    traced(stream, events.length, async () => {
      const prepared = await prepareAppend(stream, events, appendOptions, context);
      if (closed) throw new DuetError(ErrorCode.STORE_CLOSED, 'the event store is closed');
      return submit(prepared, appendOptions?.signal);
    });

  let closed = false;
  const close = async () => {
    closed = true;
    await Promise.all(
      [...groupCommits.all(), ...(tenants ? [tenants.group] : [])].map((group) => group.close()),
    );
    // Reads in flight finish before a store that owns its connection closes it; reads
    // after close() still run, as unbatched reads always did.
    await Promise.all(pageBatches.all().map((reads) => reads.drain()));
    await wake.flush();
    await commits.close();
  };

  const store: PostgresEventStore = {
    executor,
    schema,
    events: config.events,
    append,
    readStream: <E extends Message = Message>(
      stream: string,
      readOptions?: Parameters<EventStore['readStream']>[1],
    ) =>
      readStream(
        config.readBatch.enabled ? { ...config, forwardPage } : config,
        stream,
        readOptions,
      ) as AsyncIterable<RecordedEvent<E>>,
    readAll: <E extends Message = Message>(readOptions?: Parameters<EventStore['readAll']>[0]) =>
      readAll(config, readOptions) as AsyncIterable<RecordedEvent<E>>,
    subscribe: <E extends Message = Message>(
      subscribeOptions?: Parameters<EventStore['subscribe']>[0],
    ) => subscribe(config, commits, subscribeOptions) as AsyncIterable<RecordedEvent<E>>,
    readCommittedPage: (after, pageOptions) =>
      readCommittedPage(config, config.events, after, pageOptions),
    commits,
    streamInfo: (stream) => streamInfo(executor, schema, stream),
    headPosition: () => headPosition(executor, schema),
    transaction: async (fn) => {
      const mode = wake.inCallerTransaction();
      const appended: Position[] = [];
      const value = await executor.transaction(async (tx) => {
        // Lock before the transaction has an id, so readers know to wait for it.
        await tx.query(appendLockSql(schema));
        return fn({
          query: (sql, params) => tx.query(sql, params),
          readStream: <E extends Message = Message>(
            stream: string,
            readOptions?: Parameters<EventStore['readStream']>[1],
          ) =>
            readStream({ ...config, executor: tx }, stream, readOptions) as AsyncIterable<
              RecordedEvent<E>
            >,
          append: (stream, events, appendOptions) =>
            traced(stream, events.length, async () => {
              appendOptions?.signal?.throwIfAborted();
              const prepared = await prepareAppend(stream, events, appendOptions, context);
              const [outcome] = await appendBatch(tx, schema, [prepared], mode);
              if (!outcome) throw new Error('append_events returned no outcome');
              if (!outcome.ok) throw outcome.error;
              duetInstruments().eventsPerCommit.record(events.length, storeAttributes);
              appended.push(outcome.result.position);
              return outcome.result;
            }),
        });
      });
      wake.committed(mode, highestPosition(appended));
      return value;
    },
    oldestRunningTransaction: () => oldestRunningTransaction(executor, schema),
    close,
    [Symbol.asyncDispose]: close,
  };
  return options.personalData ? withPersonalDataInStore(store, options.personalData.keys) : store;
}

/** The store with personal fields sealed on append and opened on read, in transactions too. */
function withPersonalDataInStore(
  store: PostgresEventStore,
  keys: NonNullable<PostgresEventStoreOptions['personalData']>['keys'],
): PostgresEventStore {
  const events = store.events!;
  return {
    ...withPersonalData(store, { keys, events }),
    transaction: (fn) =>
      store.transaction((tx) => {
        const personal = { keys: keys.using?.(tx) ?? keys, events };
        return fn({
          query: tx.query,
          append: async (stream, newEvents, appendOptions) =>
            tx.append(stream, await sealPersonalEvents(newEvents, personal), appendOptions),
          readStream: <E extends Message = Message>(
            stream: string,
            readOptions?: Parameters<EventStore['readStream']>[1],
          ) => openPersonalStream(tx.readStream<E>(stream, readOptions), personal.keys, events),
        });
      }),
  };
}
