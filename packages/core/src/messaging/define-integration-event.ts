import { ValidationError } from '../errors/validation-error.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventDefinition } from '../messages/define-event.ts';
import { type JsonSchema, jsonSchemaOf, type Schema } from '../messages/schema.ts';
import {
  type PersonalFields,
  type PersonalFieldsDefinition,
  resolvePersonalFields,
} from '../personal-data/personal-fields.ts';

// A subject token: NATS splits subjects on '.', and '*', '>' and spaces are wildcards or illegal.
const token = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * A contract another service may rely on: what a service publishes, declared apart from
 * its domain events, with its own name, schema and version, and the mapping from the
 * domain events that produce it.
 */
export interface IntegrationEventDefinition<Name extends string = string, Data = unknown> {
  readonly kind: 'integration-event';
  /** The publishing service, e.g. `orders`: the first subject token. */
  readonly service: string;
  /** The contract's name, e.g. `OrderPlaced`: the second subject token. */
  readonly name: Name;
  /** `<service>.<name>`: the NATS subject it travels on. */
  readonly subject: string;
  /** The contract's version; consumers see it in the `Duet-Contract-Version` header. */
  readonly version: number;
  readonly schema: Schema<Data>;
  readonly description: string | undefined;
  /** The domain event types that produce it. */
  readonly from: readonly string[];
  /**
   * Its personal fields: the relay publishes them sealed with the subject's key (never in
   * plain text on the broker), and consumers with the keys open them.
   */
  readonly personal: PersonalFieldsDefinition | undefined;
  /** Builds the contract's data from one of those domain events (checked against `schema` before publishing). */
  map(event: RecordedEvent): Data;
  jsonSchema(): JsonSchema | undefined;
}

/** The data type of a contract: `IntegrationDataOf<typeof OrderPlacedV1>`. */
export type IntegrationDataOf<D> =
  D extends IntegrationEventDefinition<string, infer Data> ? Data : never;

/** What `defineIntegrationEvent` takes. */
export interface IntegrationEventOptions<Name extends string, Data> {
  readonly service: string;
  readonly name: Name;
  /** Default 1. */
  readonly version?: number;
  readonly schema: Schema<Data>;
  readonly description?: string;
  /** The domain events (definitions or type names) this contract is published for. */
  readonly from: EventDefinition | string | readonly (EventDefinition | string)[];
  /** Builds the contract's data; leave it out to publish the domain event's data as is. */
  readonly map?: (event: RecordedEvent) => Data;
  /** JSON Schema for validators that do not implement Standard JSON Schema. */
  readonly jsonSchema?: JsonSchema;
  /** Fields holding personal data: sealed on the broker (see `RelayOptions.personalData`). */
  readonly personal?: PersonalFields<NoInfer<Data>>;
}

/**
 * Declares an integration event: a published contract, separate from domain events.
 *
 * @example
 * const OrderPlacedV1 = defineIntegrationEvent({
 *   service: 'orders', name: 'OrderPlaced', schema: z.object({ orderId: z.string() }),
 *   from: OrderPlaced, map: (event) => ({ orderId: event.stream.slice(6) }),
 * });
 */
export function defineIntegrationEvent<const Name extends string, Data>(
  options: IntegrationEventOptions<Name, Data>,
): IntegrationEventDefinition<Name, Data> {
  if (typeof options !== 'object' || options === null)
    throw fail('integration event', 'expected an object');
  const { service, name } = options;
  if (typeof service !== 'string' || !token.test(service)) {
    throw fail(
      'integration event option service',
      `expected a subject token (letters, digits, _ and -, starting with a letter), got ${JSON.stringify(service)}`,
    );
  }
  if (typeof name !== 'string' || !token.test(name)) {
    throw fail(
      `integration event ${service} option name`,
      `expected a subject token, got ${JSON.stringify(name)}`,
    );
  }
  const subject = `integration event ${service}.${name} option`;
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw fail(`${subject} version`, `expected a whole number >= 1, got ${String(version)}`);
  }
  if (typeof options.schema?.['~standard']?.validate !== 'function') {
    throw fail(`${subject} schema`, 'expected a Standard Schema validator (zod, valibot, ...)');
  }
  const sources = Array.isArray(options.from) ? options.from : [options.from];
  const from = sources.map((source, index) => {
    if (typeof source === 'string' && source.length > 0) return source;
    if (typeof source === 'object' && source !== null && source.kind === 'event')
      return source.type;
    throw fail(`${subject} from`, 'expected an event definition or a type name', [index]);
  });
  if (from.length === 0) throw fail(`${subject} from`, 'expected at least one domain event');
  const map = options.map ?? ((event: RecordedEvent) => event.data as Data);
  if (typeof map !== 'function') throw fail(`${subject} map`, 'expected a function');
  const personal = resolvePersonalFields(
    `integration event ${service}.${name}`,
    options.personal as unknown as PersonalFields<never>,
  );
  return {
    kind: 'integration-event',
    service,
    name,
    personal,
    subject: `${service}.${name}`,
    version,
    schema: options.schema,
    description: options.description,
    from,
    map,
    jsonSchema: () => options.jsonSchema ?? jsonSchemaOf(options.schema),
  };
}

function fail(subject: string, message: string, path: (string | number)[] = []): ValidationError {
  return new ValidationError(subject, [{ path, message }]);
}
