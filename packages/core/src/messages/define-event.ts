import {
  type PersonalFields,
  type PersonalFieldsDefinition,
  resolvePersonalFields,
} from '../personal-data/personal-fields.ts';
import type { Message } from './message.ts';
import { type JsonSchema, jsonSchemaOf, type Schema } from './schema.ts';

/** Turns the data of schema version `n` into the data of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;

export interface EventDefinition<Type extends string = string, Data = unknown> {
  readonly kind: 'event';
  readonly type: Type;
  readonly schema: Schema<Data>;
  /** The current schema version; events stored with an older one are upcast on read. */
  readonly version: number;
  /** `upcasters[n]` turns version `n` data into version `n + 1`; one per older version. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** Its personal fields, sealed per data subject when stored (see `withPersonalData`), or undefined. */
  readonly personal: PersonalFieldsDefinition | undefined;
  /** Builds the event `{ type, data }` (typed, not validated: the store validates on append). */
  create(data: Data): Message<Type, Data>;
  jsonSchema(): JsonSchema | undefined;
}

export interface EventOptions<Data = unknown> {
  /** The current schema version (default 1). */
  version?: number;
  /** `upcasters[n]` maps version `n` data to version `n + 1`, for every n below `version`. */
  upcasters?: Record<number, Upcaster>;
  /** JSON Schema for validators that do not implement Standard JSON Schema. */
  jsonSchema?: JsonSchema;
  /** Fields holding personal data, encrypted per data subject by `withPersonalData`. */
  personal?: PersonalFields<Data>;
}

/** The event type a definition describes: `EventOf<typeof OrderPlaced>`. */
export type EventOf<D> = D extends EventDefinition<infer T, infer Data> ? Message<T, Data> : never;

/**
 * Declares a domain event: its type name, its schema, its schema version and how older
 * versions are upcast.
 *
 * @example
 * const ItemAdded = defineEvent('ItemAdded', z.object({ sku: z.string(), quantity: z.number().int() }));
 * type ItemAdded = EventOf<typeof ItemAdded>;
 */
export function defineEvent<const Type extends string, Data>(
  type: Type,
  schema: Schema<Data>,
  options: EventOptions<NoInfer<Data>> = {},
): EventDefinition<Type, Data> {
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`event ${type}: version must be a whole number >= 1, got ${version}`);
  }
  const upcasters = options.upcasters ?? {};
  for (let from = 1; from < version; from++) {
    if (typeof upcasters[from] !== 'function') {
      throw new TypeError(
        `event ${type}: version ${version} needs an upcaster from version ${from}`,
      );
    }
  }
  const personal = resolvePersonalFields(
    `event ${type}`,
    options.personal as unknown as PersonalFields<never>,
  );
  return {
    kind: 'event',
    personal,
    type,
    schema,
    version,
    upcasters,
    create: (data) => ({ type, data }),
    jsonSchema: () => options.jsonSchema ?? jsonSchemaOf(schema),
  };
}
