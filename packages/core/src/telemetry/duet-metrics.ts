import { type Counter, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';

/** Duet's instruments: the names and units users put on dashboards. */
export interface DuetInstruments {
  /** Events appended (attribute `duet.store`: the schema or store name). */
  readonly appendedEvents: Counter;
  /** Seconds one append statement or transaction took. */
  readonly appendDuration: Histogram;
  /** Events per commit. */
  readonly eventsPerCommit: Histogram;
  /** Events or messages set aside (attributes `duet.processor` or `duet.consumer`). */
  readonly deadLetters: Counter;
  /** Seconds from an event's commit to the broker's ack of its message. */
  readonly relayLag: Histogram;
  /** Messages a consumer handled (attribute `duet.consumer`, `duet.outcome`). */
  readonly consumedMessages: Counter;
}

let made: { provider: MeterProvider; instruments: DuetInstruments } | undefined;

/**
 * The instruments on the meter provider registered now. The metrics API hands out no
 * proxies: instruments made before an SDK registers would stay no-ops, so they are made
 * again when the global provider changes.
 *
 * @example
 * duetInstruments().appendedEvents.add(events.length, { 'duet.store': schema });
 */
export function duetInstruments(): DuetInstruments {
  const provider = metrics.getMeterProvider();
  if (made?.provider === provider) return made.instruments;
  const meter = provider.getMeter('duet');
  const instruments: DuetInstruments = {
    appendedEvents: meter.createCounter('duet.append.events', {
      description: 'Events appended',
      unit: '{event}',
    }),
    appendDuration: meter.createHistogram('duet.append.duration', {
      description: 'Time one append took, from the call to the commit',
      unit: 's',
    }),
    eventsPerCommit: meter.createHistogram('duet.append.events_per_commit', {
      description: 'Events one append committed',
      unit: '{event}',
    }),
    deadLetters: meter.createCounter('duet.dead_letters', {
      description: 'Events or messages set aside as dead letters',
      unit: '{message}',
    }),
    relayLag: meter.createHistogram('duet.relay.lag', {
      description: "Time from an event's commit to the broker's ack of its message",
      unit: 's',
    }),
    consumedMessages: meter.createCounter('duet.consumer.messages', {
      description: 'Messages an integration consumer took in, by outcome',
      unit: '{message}',
    }),
  };
  made = { provider, instruments };
  return instruments;
}
