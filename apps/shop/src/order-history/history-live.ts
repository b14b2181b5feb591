import type { LiveSource } from '@duet/http';
import { checkSchemaName, quoteIdentifier, type SqlExecutor } from '@duet/postgres';

/** Options of `createHistoryLive`. */
export interface HistoryLiveOptions {
  readonly executor: SqlExecutor;
  /** The schema whose inbox the history's consumers record in. */
  readonly schema: string;
  /** The history's consumer names. */
  readonly consumers: readonly string[];
  /** How often to look for commits of consumers in other processes (default 250 ms). */
  readonly pollMs?: number;
}

/** The read model live queries of the history name (its queries' `projections`). */
const READ_MODEL = 'order_history';

/**
 * Live queries of the order history re-run when it changes: at once after a consumer of
 * this process commits (`notify`), and within `pollMs` after one in another process does
 * (the inbox's stream versions only grow, so their sum moves on every applied message).
 * The look only runs while someone listens.
 *
 * @example
 * const live = createHistoryLive({ executor, schema: 'order_history', consumers });
 * await app.register(duetHttp, { ..., live });
 */
export function createHistoryLive(
  options: HistoryLiveOptions,
): LiveSource & { notify(): void; close(): void } {
  const { executor, consumers } = options;
  const inboxStreams = `${quoteIdentifier(checkSchemaName(options.schema, 'schema'))}.inbox_streams`;
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | null = null;
  let seen: string | null = null;
  let looking = false;

  const fire = () => {
    for (const listener of [...listeners]) listener();
  };
  const look = async () => {
    if (looking) return;
    looking = true;
    try {
      const { rows } = await executor.query<{ total: string }>(
        `SELECT coalesce(sum(version), 0)::text AS total FROM ${inboxStreams} WHERE consumer = ANY($1::text[])`,
        [consumers],
      );
      const total = rows[0]?.total ?? '0';
      if (seen !== null && total !== seen) fire();
      seen = total;
    } catch {
      // The database is away: the next look tries again; live clients keep their last answer.
    } finally {
      looking = false;
    }
  };

  return {
    subscribe(projections, onChange) {
      if (!projections.includes(READ_MODEL)) return () => {};
      listeners.add(onChange);
      if (timer === null) {
        void look();
        timer = setInterval(() => void look(), options.pollMs ?? 250);
        timer.unref();
      }
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
          seen = null;
        }
      };
    },
    notify: fire,
    close() {
      listeners.clear();
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
