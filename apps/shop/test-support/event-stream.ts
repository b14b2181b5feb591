// Test support: reads a Server-Sent Events response one event at a time.

export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

export interface EventStreamReader {
  /** The next event (heartbeats and `retry:` hints are skipped); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<ServerSentEvent>;
  close(): void;
}

/**
 * Opens `url` as an event stream with `fetch`.
 *
 * @example
 * const stream = await openEventStream(`${url}/queries/MyOrders/live`, { 'x-api-key': key });
 * const first = await stream.next();
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string>,
): Promise<EventStreamReader & { readonly response: Response }> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';

  async function nextBlock(): Promise<string> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        return block;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
    }
  }

  async function nextEvent(): Promise<ServerSentEvent> {
    for (;;) {
      const lines = (await nextBlock()).split('\n').filter((line) => !line.startsWith(':'));
      // As EventSource does: a block without data (a `retry:` hint, a comment) is no event.
      if (!lines.some((line) => line.startsWith('data:'))) continue;
      const field = (name: string) =>
        lines
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).trimStart())
          .join('\n');
      return { event: field('event') || 'message', data: field('data') };
    }
  }

  return {
    response,
    async next(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([nextEvent(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => controller.abort(),
  };
}
