import { ValidationError } from '../errors/validation-error.ts';

/** How long a broker keeps what a stream holds. */
export type StreamRetention = 'limits' | 'interest';

/**
 * A broker stream as code: the subjects it holds, how long, how many copies, and the
 * duplicate window. The window bounds how long a relay may be down (or retry) without a
 * republished message reaching consumers twice; consumers' inboxes catch the rest.
 */
export interface MessageStreamDefinition {
  readonly kind: 'message-stream';
  /** The broker's stream name, e.g. `DUET_ORDERS`. */
  readonly name: string;
  /** The service whose integration events it holds: subjects `<service>.>`. */
  readonly service: string;
  readonly subjects: readonly string[];
  readonly retention: StreamRetention;
  /** Copies kept in a cluster (1, 3 or 5). A durable stream wants 3. */
  readonly replicas: number;
  /** Within this window a message id is stored once (default 2 minutes). */
  readonly duplicateWindowMs: number;
  /** Messages older than this are removed (default 7 days; 0 keeps them). */
  readonly maxAgeMs: number;
}

/** What `defineMessageStream` takes. */
export interface MessageStreamOptions {
  readonly service: string;
  /** Default `DUET_<SERVICE>` in upper case. */
  readonly name?: string;
  /** Default `'limits'`. */
  readonly retention?: StreamRetention;
  /** Default 1; use 3 in a three-node cluster. */
  readonly replicas?: number;
  readonly duplicateWindowMs?: number;
  readonly maxAgeMs?: number;
}

const streamName = /^[A-Za-z0-9_-]{1,64}$/;
const serviceName = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Declares the stream a service's integration events travel on.
 *
 * @example
 * const ordersStream = defineMessageStream({ service: 'orders', replicas: 3 });
 */
export function defineMessageStream(options: MessageStreamOptions): MessageStreamDefinition {
  const { service } = options ?? {};
  if (typeof service !== 'string' || !serviceName.test(service)) {
    throw fail(
      'message stream option service',
      `expected a subject token, got ${JSON.stringify(service)}`,
    );
  }
  const name = options.name ?? `DUET_${service.toUpperCase().replaceAll('-', '_')}`;
  if (typeof name !== 'string' || !streamName.test(name)) {
    throw fail(
      `message stream ${service} option name`,
      'expected letters, digits, _ and -, at most 64',
    );
  }
  const retention = options.retention ?? 'limits';
  if (retention !== 'limits' && retention !== 'interest') {
    throw fail(`message stream ${service} option retention`, "expected 'limits' or 'interest'");
  }
  const replicas = options.replicas ?? 1;
  if (![1, 3, 5].includes(replicas)) {
    throw fail(
      `message stream ${service} option replicas`,
      `expected 1, 3 or 5, got ${String(replicas)}`,
    );
  }
  const duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  if (!Number.isSafeInteger(duplicateWindowMs) || duplicateWindowMs < 100) {
    throw fail(
      `message stream ${service} option duplicateWindowMs`,
      'expected a whole number of ms >= 100',
    );
  }
  const maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3_600_000;
  if (
    !Number.isSafeInteger(maxAgeMs) ||
    maxAgeMs < 0 ||
    (maxAgeMs > 0 && maxAgeMs < duplicateWindowMs)
  ) {
    throw fail(
      `message stream ${service} option maxAgeMs`,
      'expected 0 (keep) or at least the duplicate window',
    );
  }
  return {
    kind: 'message-stream',
    name,
    service,
    subjects: [`${service}.>`],
    retention,
    replicas,
    duplicateWindowMs,
    maxAgeMs,
  };
}

function fail(subject: string, message: string): ValidationError {
  return new ValidationError(subject, [{ path: [], message }]);
}
