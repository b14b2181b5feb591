import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { checkSchemaName } from '../../schema-name.ts';
import { checkpointsChannel } from '../tables/notify-channels.ts';

/** Tells listeners when the named projections' checkpoints move. */
export interface ProjectionChanges extends AsyncDisposable {
  /** Calls `onChange` after every committed batch of one of `projections`; returns a stop. */
  subscribe(projections: readonly string[], onChange: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Checkpoint movements as callbacks, for live queries (`@duet/http`'s `live` option). It
 * LISTENs on the runners' checkpoint channel in the read-model database, so it works in a
 * query-only process too; one LISTEN serves every subscriber.
 *
 * @example
 * const changes = createProjectionChanges({ executor: readModels, schema: 'duet_projections' });
 * await app.register(duetHttp, { ...options, live: changes });
 */
export function createProjectionChanges(options: {
  readonly executor: SqlExecutor;
  /** The runner's schema (default 'duet_projections'). */
  readonly schema?: string;
}): ProjectionChanges {
  const schema = checkSchemaName(options.schema ?? 'duet_projections');
  const listeners = new Set<{ projections: ReadonlySet<string>; onChange: () => void }>();
  let listening: Promise<() => Promise<void>> | undefined;

  const onNotify = (payload: string | null) => {
    // The payload is the projection's name; null means the LISTEN reconnected and
    // notifications may have been lost, so everyone re-reads.
    for (const listener of listeners) {
      if (payload === null || listener.projections.has(payload)) listener.onChange();
    }
  };
  const close = async () => {
    listeners.clear();
    const stop = await listening?.catch(() => undefined);
    listening = undefined;
    await stop?.();
  };
  return {
    subscribe(projections, onChange) {
      const listener = { projections: new Set(projections), onChange };
      listeners.add(listener);
      listening ??= options.executor.listen(checkpointsChannel(schema), onNotify);
      return () => {
        listeners.delete(listener);
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
