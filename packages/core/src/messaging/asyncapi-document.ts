import { jsonSchemaOf } from '../messages/schema.ts';
import type { Contracts } from './define-contracts.ts';

/** What `asyncApiDocument` takes. */
export interface AsyncApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  /** The services whose contracts the document lists (what they publish). */
  readonly contracts: readonly Contracts[];
  /** A NATS server to name in the document, e.g. `nats.example.com:4222`. */
  readonly server?: string;
}

const headerNames = [
  ['Duet-Event-Id', 'The producing event’s id; also Nats-Msg-Id, the de-duplication id'],
  ['Duet-Service', 'The publishing service'],
  ['Duet-Type', 'The contract’s name'],
  ['Duet-Contract-Version', 'The contract’s version'],
  ['Duet-Stream', 'The producing stream'],
  ['Duet-Stream-Version', 'The event’s version in its stream'],
  [
    'Duet-Previous-Version',
    'The stream’s previous published version (0 for the first): per-stream order',
  ],
  ['Duet-Position', 'The event’s position in its service’s store: a read-your-writes token'],
  ['Duet-Occurred-At', 'When the event was recorded (ISO 8601)'],
  ['traceparent', 'W3C trace context'],
] as const;

const required = headerNames.slice(0, 9).map(([name]) => name);

/**
 * The AsyncAPI 3.0 document of what services publish: one channel per contract
 * (`<service>.<name>`), its JSON Schema payload and Duet's headers, one `send` operation
 * per channel. Serve it beside `/openapi.json`.
 *
 * @example
 * app.get('/asyncapi.json', () => asyncApiDocument({ title: 'Shop', version: '1.0.0', contracts: [ordersContracts] }));
 */
export function asyncApiDocument(options: AsyncApiOptions): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const contracts of options.contracts) {
    for (const event of contracts.events) {
      const key = event.subject;
      const payload = jsonSchemaOf(event.schema, 'draft-07') ?? {};
      delete payload.$schema;
      messages[key] = {
        name: event.name,
        title: `${event.service} ${event.name} v${event.version}`,
        ...(event.description ? { summary: event.description } : {}),
        contentType: 'application/json',
        headers: {
          type: 'object',
          required,
          properties: Object.fromEntries(
            headerNames.map(([name, description]) => [name, { type: 'string', description }]),
          ),
        },
        payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payload },
        'x-duet-contract-version': event.version,
        'x-duet-from': event.from,
      };
      channels[key] = {
        address: event.subject,
        messages: { [event.name]: { $ref: `#/components/messages/${key}` } },
      };
      operations[`${event.service}_publishes_${event.name}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${key}` },
        messages: [{ $ref: `#/channels/${key}/messages/${event.name}` }],
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    defaultContentType: 'application/json',
    ...(options.server ? { servers: { nats: { host: options.server, protocol: 'nats' } } } : {}),
    channels,
    operations,
    components: { messages },
  };
}
