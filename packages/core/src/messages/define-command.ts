import type { Message } from './message.ts';
import { type JsonSchema, jsonSchemaOf, type Schema } from './schema.ts';

export interface CommandDefinition<Type extends string = string, Data = unknown> {
  readonly kind: 'command';
  readonly type: Type;
  readonly schema: Schema<Data>;
  readonly description?: string;
  create(data: Data): Message<Type, Data>;
  jsonSchema(): JsonSchema | undefined;
}

/** The command type a definition describes: `CommandOf<typeof PlaceOrder>`. */
export type CommandOf<D> =
  D extends CommandDefinition<infer T, infer Data> ? Message<T, Data> : never;

/**
 * Declares a command: its type name and the schema its data is checked against at the edge.
 *
 * @example
 * const PlaceOrder = defineCommand('PlaceOrder', z.object({ orderId: z.string() }));
 * await bus.send(PlaceOrder.create({ orderId: 'o-1' }));
 */
export function defineCommand<const Type extends string, Data>(
  type: Type,
  schema: Schema<Data>,
  options: { description?: string; jsonSchema?: JsonSchema } = {},
): CommandDefinition<Type, Data> {
  return {
    kind: 'command',
    type,
    schema,
    ...(options.description === undefined ? {} : { description: options.description }),
    create: (data) => ({ type, data }),
    // What a client may send: a field with a default is optional (the input side).
    jsonSchema: () => options.jsonSchema ?? jsonSchemaOf(schema, 'draft-2020-12', 'input'),
  };
}
