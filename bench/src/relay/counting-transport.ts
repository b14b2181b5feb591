import type { Transport, TransportMessage } from '@duet/core';

/** What the relay sent through its transport. */
export interface TransportCounts {
  /** `publish` calls (one per relay batch) and the messages in them. */
  calls: number;
  messages: number;
  /** Acks that said the id was already stored: republished messages. */
  duplicates: number;
  /** Milliseconds inside `publish` (send to last ack), summed over calls. */
  publishMs: number;
  /** The first messages published, kept to compare with what the raw publish sends. */
  readonly sample: TransportMessage[];
}

/** Wraps a transport and counts what its `publish` does, without changing behaviour. */
export function countingTransport(
  inner: Transport,
  sampleSize = 1_000,
): { transport: Transport; counts: TransportCounts } {
  const counts: TransportCounts = {
    calls: 0,
    messages: 0,
    duplicates: 0,
    publishMs: 0,
    sample: [],
  };
  const transport: Transport = {
    ...inner,
    async publish(messages, options) {
      const started = performance.now();
      const acks = await inner.publish(messages, options);
      counts.publishMs += performance.now() - started;
      counts.calls += 1;
      counts.messages += messages.length;
      for (const ack of acks) if (ack.duplicate) counts.duplicates += 1;
      for (const message of messages) {
        if (counts.sample.length >= sampleSize) break;
        counts.sample.push(message);
      }
      return acks;
    },
  };
  return { transport, counts };
}

/**
 * Whether the relay's sampled messages equal the raw publish's messages of the same ids
 * (subject, headers, payload): the two systems publish the same bytes.
 */
export function sameMessages(
  sample: readonly TransportMessage[],
  raw: readonly TransportMessage[],
): boolean {
  if (sample.length === 0) return false;
  const byId = new Map(raw.map((message) => [message.id, message]));
  return sample.every((message) => {
    const other = byId.get(message.id);
    return (
      other !== undefined &&
      other.subject === message.subject &&
      other.payload === message.payload &&
      JSON.stringify(sortedEntries(other.headers)) ===
        JSON.stringify(sortedEntries(message.headers))
    );
  });
}

function sortedEntries(headers: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
