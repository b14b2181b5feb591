import type { ServerResponse } from 'node:http';

/** What one live query stream needs. */
export interface LiveQueryStreamOptions {
  readonly response: ServerResponse;
  /** Asks the query again; the signal aborts when the client leaves. */
  readonly ask: (signal: AbortSignal) => Promise<unknown>;
  /** Subscribes to read-model movements; returns a stop function. */
  readonly subscribe: (onChange: () => void) => () => void;
  readonly first: unknown;
  readonly heartbeatMs: number;
  readonly coalesceMs: number;
  /** Turns an error of a later ask into the problem sent before closing. */
  readonly problemOf: (error: unknown) => unknown;
}

/**
 * Streams a query's answers as Server-Sent Events: the first answer at once (`event:
 * result`), then a new one after the read models move, at most one ask per `coalesceMs`
 * burst and only when the answer changed; a comment line every `heartbeatMs` keeps
 * proxies from closing an idle stream. Everything stops when the client disconnects.
 *
 * @example
 * streamLiveQuery({ response: reply.raw, first, ask, subscribe, heartbeatMs: 15_000,
 *   coalesceMs: 50, problemOf });
 */
export function streamLiveQuery(options: LiveQueryStreamOptions): () => void {
  const { response } = options;
  const controller = new AbortController();
  let last = JSON.stringify(options.first ?? null);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;

  const write = (text: string) => {
    if (!controller.signal.aborted) response.write(text);
  };
  const sendResult = (json: string) => write(`event: result\ndata: ${json}\n\n`);

  const refresh = async () => {
    timer = undefined;
    if (running) {
      // A change during an ask may not be in its answer: ask once more afterwards.
      again = true;
      return;
    }
    running = true;
    try {
      const json = JSON.stringify((await options.ask(controller.signal)) ?? null);
      if (json !== last) {
        last = json;
        sendResult(json);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      write(`event: problem\ndata: ${JSON.stringify(options.problemOf(error))}\n\n`);
      stop();
      response.end();
      return;
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (timer === undefined && !controller.signal.aborted) {
      timer = setTimeout(() => void refresh(), options.coalesceMs);
    }
  };

  const unsubscribe = options.subscribe(schedule);
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  const stop = () => {
    if (controller.signal.aborted) return;
    controller.abort();
    clearInterval(heartbeat);
    if (timer !== undefined) clearTimeout(timer);
    unsubscribe();
  };
  response.once('close', () => {
    stop();
    // The client left mid-stream: the connection cannot carry another response, so free
    // it now rather than when the client's keep-alive timer gives up.
    response.destroy();
  });
  // Tells EventSource how long to wait before reconnecting after a drop.
  write('retry: 2000\n\n');
  sendResult(last);
  // Ends the stream from the server's side (shutdown): the client may reconnect elsewhere.
  return () => {
    stop();
    response.end();
  };
}
