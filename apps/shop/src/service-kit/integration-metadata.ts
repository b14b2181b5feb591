import type { EventMetadataInput, IntegrationMessage } from '@duet/core';

/**
 * The metadata of events appended in answer to another service's message: the message
 * is their cause, its correlation and trace go on, so a trace follows an order from the
 * orders service into this answer and back.
 *
 * @example
 * await tx.append(stream, events.map((e) => ({ ...e, metadata: answerMetadata(message, 'payments') })));
 */
export function answerMetadata(message: IntegrationMessage, actor: string): EventMetadataInput {
  const { correlationId, traceparent, tracestate } = message.metadata;
  return {
    correlationId: correlationId ?? message.id,
    causationId: message.id,
    actor,
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(tracestate === undefined ? {} : { tracestate }),
  };
}
