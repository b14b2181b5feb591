import { ValidationError } from '../errors/validation-error.ts';
import type { TransportMessage } from './transport.ts';

/** Trace and cause metadata carried from the producing event to the consumer. */
export interface IntegrationMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly tenant?: string;
  /** W3C trace context, from the event's metadata into NATS headers and back. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** An integration event as a consumer sees it: the contract's data and where it came from. */
export interface IntegrationMessage<Data = unknown> {
  /** The producing event's id: also the broker's de-duplication id. */
  readonly id: string;
  readonly service: string;
  /** The contract's name, e.g. `OrderPlaced`. */
  readonly type: string;
  /** `<service>.<type>`. */
  readonly subject: string;
  /** The contract's version. */
  readonly version: number;
  /** The producing stream and the event's version in it. */
  readonly stream: string;
  readonly streamVersion: number;
  /** The version of the stream's previous published event (0 for its first): consumers keep per-stream order with it. */
  readonly previousVersion: number;
  /** The producing event's position in its service's store: a read-your-writes token. */
  readonly position: string;
  /** When the producing event was recorded (ISO 8601). */
  readonly occurredAt: string;
  readonly data: Data;
  readonly metadata: IntegrationMetadata;
  /**
   * On a consumed message, its tenant (`metadata.tenant`), checked against the tenant its
   * subject carried when the transport puts tenants in subjects.
   */
  readonly tenant?: string;
}

const metadataHeaders = {
  correlationId: 'Duet-Correlation-Id',
  causationId: 'Duet-Causation-Id',
  actor: 'Duet-Actor',
  tenant: 'Duet-Tenant',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const satisfies Record<keyof IntegrationMetadata, string>;

/** Encodes an integration message for the wire: data as JSON, the rest as headers. */
export function toTransportMessage(message: IntegrationMessage): TransportMessage {
  const headers: Record<string, string> = {
    'Duet-Event-Id': message.id,
    'Duet-Service': message.service,
    'Duet-Type': message.type,
    'Duet-Contract-Version': String(message.version),
    'Duet-Stream': message.stream,
    'Duet-Stream-Version': String(message.streamVersion),
    'Duet-Previous-Version': String(message.previousVersion),
    'Duet-Position': message.position,
    'Duet-Occurred-At': message.occurredAt,
  };
  for (const [key, header] of Object.entries(metadataHeaders)) {
    const value = message.metadata[key as keyof IntegrationMetadata];
    if (typeof value === 'string') headers[header] = value;
  }
  return {
    id: message.id,
    subject: message.subject,
    headers,
    payload: JSON.stringify(message.data),
  };
}

/**
 * Decodes a message from the wire; throws `ValidationError` naming every missing or
 * malformed header, or a payload that is not JSON.
 */
export function fromTransportMessage(wire: TransportMessage): IntegrationMessage {
  const issues: { path: string[]; message: string }[] = [];
  const text = (header: string) => {
    const value = wire.headers[header];
    if (typeof value !== 'string' || value.length === 0) {
      issues.push({ path: [header], message: 'missing' });
      return '';
    }
    return value;
  };
  const whole = (header: string, min: number) => {
    const value = Number(text(header));
    if (!Number.isSafeInteger(value) || value < min) {
      issues.push({ path: [header], message: `expected a whole number >= ${min}` });
    }
    return value;
  };
  const id = text('Duet-Event-Id');
  const service = text('Duet-Service');
  const type = text('Duet-Type');
  const version = whole('Duet-Contract-Version', 1);
  const stream = text('Duet-Stream');
  const streamVersion = whole('Duet-Stream-Version', 1);
  const previousVersion = whole('Duet-Previous-Version', 0);
  if (previousVersion >= streamVersion) {
    issues.push({ path: ['Duet-Previous-Version'], message: 'must be below Duet-Stream-Version' });
  }
  // A subject's tenant is what broker permissions and filters saw: a header that says
  // otherwise is a forged or broken message, never handled as either tenant's.
  const headerTenant = wire.headers['Duet-Tenant'] ?? '';
  if (wire.tenant !== undefined && wire.tenant !== headerTenant) {
    issues.push({
      path: ['Duet-Tenant'],
      message: `is ${JSON.stringify(headerTenant)} but the subject carries tenant ${JSON.stringify(wire.tenant)}`,
    });
  }
  const position = text('Duet-Position');
  const occurredAt = text('Duet-Occurred-At');
  let data: unknown;
  try {
    data = JSON.parse(wire.payload);
  } catch {
    issues.push({ path: ['payload'], message: 'not JSON' });
  }
  if (issues.length > 0) throw new ValidationError(`message ${wire.subject} ${wire.id}`, issues);
  const metadata: Record<string, string> = {};
  for (const [key, header] of Object.entries(metadataHeaders)) {
    const value = wire.headers[header];
    if (typeof value === 'string') metadata[key] = value;
  }
  return {
    id,
    service,
    type,
    subject: wire.subject,
    version,
    stream,
    streamVersion,
    previousVersion,
    position,
    occurredAt,
    data,
    metadata,
    ...(metadata.tenant ? { tenant: metadata.tenant } : {}),
  };
}
