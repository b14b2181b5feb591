import type { ConsumerSpec, Delivery, TransportMessage } from '@duet/core';
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { isNotFound } from './nats-errors.ts';

/** Creates the durable pull consumer, or brings an existing one to the spec's settings. */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<void> {
  const wanted: Partial<ConsumerConfig> = {
    durable_name: spec.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
  };
  try {
    const { config } = await jsm.consumers.info(spec.stream.name, spec.name);
    if (
      config.ack_wait !== wanted.ack_wait ||
      config.max_deliver !== wanted.max_deliver ||
      config.max_ack_pending !== wanted.max_ack_pending
    ) {
      await jsm.consumers.update(spec.stream.name, spec.name, {
        ack_wait: wanted.ack_wait,
        max_deliver: wanted.max_deliver,
        max_ack_pending: wanted.max_ack_pending,
      } as Partial<ConsumerConfig>);
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(spec.stream.name, wanted);
  }
}

const decoder = new TextDecoder();

/** A JetStream message as the transport port's wire message. */
export function toWire(msg: JsMsg): TransportMessage {
  const headers: Record<string, string> = {};
  for (const key of msg.headers?.keys() ?? []) {
    if (key === 'Nats-Msg-Id') continue;
    headers[key] = msg.headers!.get(key);
  }
  return {
    id: msg.headers?.get('Nats-Msg-Id') ?? `${msg.info.stream}:${msg.seq}`,
    subject: msg.subject,
    headers,
    payload: decoder.decode(msg.data),
  };
}

/**
 * One PING/PONG round trip for every ack written since the last one: the broker handles a
 * connection's messages in order, so its PONG means it has the acks before it. A double
 * ack per message (`ackAck`) cost a request, a reply and an inbox subscription each.
 */
export function coalescedFlush(nc: NatsConnection): () => Promise<void> {
  let next: Promise<void> | null = null;
  return () => {
    next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = null;
      return nc.flush();
    });
    return next;
  };
}

function toDelivery(msg: JsMsg, flush: () => Promise<void>): Delivery {
  return {
    message: toWire(msg),
    stream: msg.info.stream,
    sequence: msg.seq,
    attempt: msg.info.deliveryCount,
    ack() {
      msg.ack();
      return flush();
    },
    nak: (delayMs) => msg.nak(delayMs),
    working: () => msg.working(),
  };
}

/**
 * Pulls a durable consumer's messages and hands them on in batches of what has arrived
 * (never waiting to fill a batch), until `signal` aborts. nats.js keeps the pull going
 * across reconnects; a missing consumer or stream ends the iteration with an error. The
 * broker's `max_ack_pending` bounds what can pile up here.
 */
export async function* consumeDurable(
  js: JetStreamClient,
  spec: ConsumerSpec,
  options: {
    readonly signal: AbortSignal;
    readonly batch: number;
    /** Resolves once the broker has every ack written before it (`coalescedFlush`). */
    readonly flush: () => Promise<void>;
  },
): AsyncGenerator<Delivery[]> {
  const { signal, batch, flush } = options;
  const consumer = await js.consumers.get(spec.stream.name, spec.name);
  const messages = await consumer.consume({ max_messages: batch, expires: 5_000 });
  const arrived: Delivery[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  // The library's own pending counts include status messages, so queue here instead.
  const pump = (async () => {
    try {
      for await (const msg of messages) {
        arrived.push(toDelivery(msg, flush));
        poke();
      }
    } catch (error) {
      failure = error;
    } finally {
      ended = true;
      poke();
    }
  })();
  const stop = () => {
    messages.stop();
    poke();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (!signal.aborted) {
      if (arrived.length > 0) {
        yield arrived.splice(0, batch);
        continue;
      }
      if (ended) {
        if (failure !== undefined) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', stop);
    messages.stop();
    await pump;
  }
}
