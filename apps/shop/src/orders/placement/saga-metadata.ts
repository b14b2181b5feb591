import type { EventMetadataInput, IntegrationMessage, RecordedEvent } from '@duet/core';
import { PLACEMENT_SAGA_CONTEXT } from './order-command-of.ts';

// The saga's events name their cause, and carry the correlation (and trace) of what set
// them off, so one order can be followed from the cart through every service and back.

const actor = PLACEMENT_SAGA_CONTEXT.actor ?? 'orders:order-placement-saga';

/**
 * Metadata for saga events caused by one of the orders store's own events.
 *
 * @example
 * metadataFromEvent(orderPlaced); // { correlationId, causationId: orderPlaced.id, actor }
 */
export function metadataFromEvent(event: RecordedEvent): EventMetadataInput {
  const { correlationId, traceparent, tracestate } = event.metadata;
  return {
    correlationId: correlationId ?? event.id,
    causationId: event.id,
    actor,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' ? { tracestate } : {}),
  };
}

/**
 * Metadata for saga events caused by another service's answer.
 *
 * @example
 * metadataFromMessage(stockReserved); // { correlationId, causationId: stockReserved.id, actor }
 */
export function metadataFromMessage(message: IntegrationMessage): EventMetadataInput {
  const { correlationId, traceparent, tracestate } = message.metadata;
  return {
    correlationId: correlationId ?? message.id,
    causationId: message.id,
    actor,
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(tracestate === undefined ? {} : { tracestate }),
  };
}

/**
 * Metadata for saga events caused by a due timer (no message: the stream is the cause).
 *
 * @example
 * metadataFromTimer('placement-o-1', 'payment-timeout');
 */
export function metadataFromTimer(stream: string, kind: string): EventMetadataInput {
  return { causationId: `timer:${stream}:${kind}`, actor };
}
