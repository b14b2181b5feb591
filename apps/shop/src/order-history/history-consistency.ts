import {
  type ConsistencyWaiter,
  currentTenantScope,
  DuetError,
  ErrorCode,
  START_POSITION,
  StaleReadError,
  ValidationError,
} from '@duet/core';
import { checkSchemaName, quoteIdentifier, type SqlExecutor } from '@duet/postgres';
import { parseReadToken } from './consumed-token.ts';

/** Options of `createHistoryConsistency`. */
export interface HistoryConsistencyOptions {
  readonly executor: SqlExecutor;
  /** The schema whose inbox the consumers record in. */
  readonly schema: string;
  /** The consumer of each source service, by service name. */
  readonly consumers: Readonly<Record<string, string>>;
  /**
   * How often a waiter looks again without a local signal (default 50 ms): the consumers
   * may run in another process, whose commits this one hears nothing of.
   */
  readonly pollMs?: number;
}

/** Read-your-writes across services for the order history. */
export interface HistoryConsistency {
  /**
   * Resolves once every token (`<service>@<stream>:<version>`) has been consumed; throws
   * `StaleReadError` naming the tokens still missing after `timeoutMs`, `ValidationError`
   * for a malformed token or an unknown service.
   */
  waitFor(
    tokens: readonly string[],
    options: {
      readonly timeoutMs: number;
      readonly signal?: AbortSignal;
      readonly queryType?: string;
    },
  ): Promise<void>;
  /** Wakes the waiters: call after an inbox transaction of this process commits. */
  notify(): void;
  /**
   * The query bus's consistency waiter: waits for the request's `tokens`. It refuses a
   * `minPosition` (`CONSISTENCY_UNSUPPORTED`): that is a store position of one service,
   * and the history, built from four, has none to compare it with.
   */
  readonly hook: ConsistencyWaiter;
}

/**
 * The rule: token `S@stream:N` is consumed when the inbox of S's consumer records
 * `stream` at version >= N (see `consumed-token.ts` for why a stream version and not a
 * position). A message that was dead-lettered moves the stream on too (`inbox.pass`), so
 * a waiter is not held forever by poison; the answer then lacks that one message's effect.
 *
 * @example
 * const consistency = createHistoryConsistency({ executor, schema, consumers: { orders: 'order_history_orders' } });
 * await consistency.waitFor(['orders@order-o-1:1'], { timeoutMs: 2_000 });
 */
export function createHistoryConsistency(options: HistoryConsistencyOptions): HistoryConsistency {
  const { executor, consumers } = options;
  const pollMs = options.pollMs ?? 50;
  const inboxStreams = `${quoteIdentifier(checkSchemaName(options.schema, 'schema'))}.inbox_streams`;
  let wake = new Set<() => void>();

  const resolveTokens = (tokens: readonly string[]) =>
    tokens.map((token) => {
      const parsed = parseReadToken(token);
      const consumer = consumers[parsed.service];
      if (consumer === undefined) {
        throw new ValidationError('read-your-writes token', [
          { path: [], message: `the order history consumes no service named ${parsed.service}` },
        ]);
      }
      // The consumers' inboxes key a tenant's streams as `<tenant>/<stream>`.
      const scope = currentTenantScope();
      const stream = scope?.kind === 'tenant' ? `${scope.tenant}/${parsed.stream}` : parsed.stream;
      return { token, consumer, stream, version: parsed.streamVersion };
    });

  // The tokens not consumed yet.
  const pending = async (wanted: ReturnType<typeof resolveTokens>) => {
    const { rows } = await executor.query<{ token: string }>(
      `SELECT x.token
         FROM jsonb_to_recordset($1::text::jsonb) AS x(token text, consumer text, stream text, version integer)
         LEFT JOIN ${inboxStreams} s ON s.consumer = x.consumer AND s.stream = x.stream
        WHERE coalesce(s.version, 0) < x.version`,
      [JSON.stringify(wanted)],
    );
    return rows;
  };

  // Resolves at the next local commit, after `ms`, or on abort, whichever comes first.
  const nextChange = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  const waitFor: HistoryConsistency['waitFor'] = async (tokens, waitOptions) => {
    const wanted = resolveTokens(tokens);
    if (wanted.length === 0) return;
    const { timeoutMs, signal } = waitOptions;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      const behind = await pending(wanted);
      if (behind.length === 0) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new StaleReadError(
          waitOptions.queryType ?? 'order history',
          START_POSITION,
          timeoutMs,
          undefined,
          behind.map((row) => row.token),
        );
      }
      await nextChange(Math.min(left, pollMs), signal);
    }
  };

  return {
    waitFor,
    notify() {
      const waiting = wake;
      wake = new Set();
      for (const done of waiting) done();
    },
    hook: async ({ minPosition, tokens, timeoutMs, signal, queryType }) => {
      // A bare store position names no service: answering anyway would be a stale read.
      if (minPosition !== START_POSITION) {
        throw new DuetError(
          ErrorCode.CONSISTENCY_UNSUPPORTED,
          `query ${queryType} asked for position ${minPosition}: the order history takes read tokens <service>@<stream>:<version>, not one service's store positions`,
        );
      }
      await waitFor(tokens, { timeoutMs, queryType, ...(signal ? { signal } : {}) });
    },
  };
}
