import { foldEvents } from '../decider/decider.ts';
import { AuthorizationError } from '../errors/authorization-error.ts';
import { ConcurrencyError } from '../errors/concurrency-error.ts';
import { InvalidEventError } from '../errors/invalid-event-error.ts';
import { RetriesExhaustedError } from '../errors/retries-exhausted-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { newEventId } from '../event-store/event-id.ts';
import { isExpectedVersion, matchesExpectedVersion } from '../event-store/expected-version.ts';
import { START_POSITION } from '../event-store/position.ts';
import type { EventMetadata, RecordedEvent } from '../event-store/recorded-event.ts';
import { type StreamName, toStreamName } from '../event-store/stream-name.ts';
import type { Message } from '../messages/message.ts';
import { validate } from '../messages/schema.ts';
import { inSpan } from '../telemetry/in-span.ts';
import { inTenant } from '../tenancy/tenant-scope.ts';
import { checkCommandBusOptions } from './check-command-bus-options.ts';
import type {
  CommandBus,
  CommandBusOptions,
  CommandContext,
  CommandEnvelope,
  CommandHandler,
  CommandResult,
} from './command-bus.ts';
import { composeMiddleware } from './compose-middleware.ts';
import { type LoadedState, loadStreamState } from './load-stream-state.ts';
import { createLongStreams } from './long-streams.ts';

type Verdict = boolean | string | Promise<boolean | string>;

/**
 * Creates a command bus over an event store. Each command is looked up by type, checked
 * against its schema, authorized, decided on its stream's current state and appended with
 * that state's version; a lost race is retried on fresh state up to `maxAttempts` times.
 *
 * Authorization: without `policies` or a handler's `authorize`, every command is allowed.
 * Put the policies in, or authenticate at the edge, before exposing the bus.
 *
 * @example
 * const bus = createCommandBus({ store, handlers: [orders] });
 * const { streamVersion, position } = await bus.send(PlaceOrder.create({ orderId: 'o-1' }), { actor: 'u-1' });
 */
export function createCommandBus(options: CommandBusOptions): CommandBus {
  const routes = checkCommandBusOptions(options);
  const { store, snapshots, events: registry } = options;
  const policies = options.policies ?? {};
  const maxAttempts = options.maxAttempts ?? 3;
  const newId = options.newId ?? newEventId;
  const now = options.now ?? (() => new Date());
  const longStreams = createLongStreams(10_000);
  const reportSnapshotError = (error: unknown, stream: StreamName): void => {
    try {
      options.onSnapshotError?.(error, stream);
    } catch {
      // A failing reporter must not fail a command whose events are already stored.
    }
  };

  async function pipeline({ command, context }: CommandEnvelope): Promise<CommandResult> {
    const route = routes.get(command.type);
    if (!route) throw new UnknownMessageError('command', command.type);
    const subject = `command ${command.type}`;
    const data = await validate(route.definition.schema, command.data, subject);
    if (context.expectedVersion !== undefined && !isExpectedVersion(context.expectedVersion)) {
      throw new ValidationError(`${subject} context`, [
        { path: ['expectedVersion'], message: 'expected a version number or a named mode' },
      ]);
    }
    const checked: Message = { type: command.type, data };
    const { handler } = route;
    await authorize(checked, context, policies[command.type]);
    await authorize(checked, context, handler.authorize?.bind(handler));
    return execute(handler, checked, context);
  }

  async function execute(
    handler: CommandHandler,
    command: Message,
    context: CommandContext,
  ): Promise<CommandResult> {
    // Checked here so that a handler's bad name fails before anything is read.
    const stream = toStreamName(handler.stream(command), `stream of ${command.type}`);
    const commandId = context.commandId ?? newId();
    const { signal } = context;
    let lastError: ConcurrencyError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      signal?.throwIfAborted();
      const loaded = await loadStreamState(handler, stream, {
        store,
        snapshots,
        longStreams,
        onSnapshotError: reportSnapshotError,
        signal,
      });
      // The caller's If-Match is about what they saw, so a retry could never satisfy it.
      const expected = context.expectedVersion;
      if (expected !== undefined && !matchesExpectedVersion(expected, loaded.version)) {
        throw new ConcurrencyError(stream, expected, loaded.version);
      }
      const decided: Message | readonly Message[] = handler.decider.decide(command, loaded.state, {
        ...(context.actor === undefined ? {} : { actor: context.actor }),
        ...(context.tenant === undefined ? {} : { tenant: context.tenant }),
        roles: context.roles ?? [],
      });
      const events: readonly Message[] = isList(decided) ? decided : [decided];
      if (events.length === 0) {
        const info = await store.streamInfo(stream);
        const position = info?.position ?? START_POSITION;
        return { stream, streamVersion: loaded.version, position, events: [], commandId };
      }
      const metadata = eventMetadata(command, context, commandId, now().toISOString());
      let recorded: RecordedEvent[];
      try {
        recorded = await append(stream, events, metadata, loaded.version, context);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        lastError = error;
        continue;
      }
      await saveSnapshot(handler, stream, loaded, recorded);
      const last = recorded[recorded.length - 1]!;
      return {
        stream,
        streamVersion: last.streamVersion,
        position: last.position,
        events: recorded,
        commandId,
      };
    }
    throw new RetriesExhaustedError(command.type, maxAttempts, lastError!);
  }

  async function append(
    stream: StreamName,
    events: readonly Message[],
    metadata: EventMetadata,
    loadedVersion: number,
    context: CommandContext,
  ): Promise<RecordedEvent[]> {
    // No ids: the store makes them and names them in its result. An append that brought
    // ids would make the store look for an earlier copy first (an idempotent retry, which a
    // fresh decision cannot be) and, on PostgreSQL, cut its batch INSERT short for it.
    const result = await store
      .append(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, metadata })),
        {
          expectedVersion: loadedVersion === 0 ? 'no_stream' : loadedVersion,
          ...signalOf(context.signal),
          ...(context.idempotencyKey === undefined
            ? {}
            : {
                // The reply's own fields come from the append; the command id from here.
                idempotencyKey: {
                  ...context.idempotencyKey,
                  result: { commandId: String(metadata.commandId) },
                },
              }),
        },
      )
      .catch((error: unknown) => {
        // The command was valid; events that fail their definitions are the decider's bug.
        if (
          error instanceof ValidationError ||
          (error instanceof UnknownMessageError && error.kind === 'event')
        ) {
          throw new InvalidEventError(String(metadata.commandType), stream, error);
        }
        throw error;
      });
    const firstVersion = result.streamVersion - events.length + 1;
    return events.map((event, index) => ({
      id: result.ids[index]!,
      stream,
      streamVersion: firstVersion + index,
      position: result.positions[index] ?? result.position,
      type: event.type,
      schemaVersion: registry?.get(event.type)?.version ?? 1,
      data: event.data,
      metadata,
    }));
  }

  async function saveSnapshot(
    handler: CommandHandler,
    stream: StreamName,
    loaded: LoadedState<unknown>,
    recorded: readonly RecordedEvent[],
  ): Promise<void> {
    const policy = handler.snapshot;
    const last = recorded[recorded.length - 1];
    if (!policy || !snapshots || !last) return;
    if (last.streamVersion >= policy.every) longStreams.add(stream);
    // Saved when the append passed a multiple of `every`, so a batch that jumps over one
    // (version 99 → 102 with every 100) still leaves a snapshot behind.
    if (
      Math.floor(last.streamVersion / policy.every) <= Math.floor(loaded.version / policy.every)
    ) {
      return;
    }
    try {
      const state = foldEvents(handler.decider, recorded, loaded.state);
      await snapshots.save({
        stream,
        streamVersion: last.streamVersion,
        deciderVersion: policy.version,
        state,
      });
    } catch (error) {
      reportSnapshotError(error, stream);
    }
  }

  const run = composeMiddleware(options.middleware ?? [], pipeline);
  return {
    async send(command, context = {}) {
      const message = toMessage(command);
      // One span per command, middleware included; the events it appends carry its trace.
      return inSpan(
        `duet.command ${message.type}`,
        { attributes: { 'duet.command.type': message.type } },
        async (span) => {
          // The context's tenant scopes every read and write the command makes (on a
          // tenant-isolated database the rows of other tenants are out of reach).
          const result = await inTenant(context.tenant, () => run({ command: message, context }));
          span.setAttributes({
            'duet.stream': result.stream,
            'duet.stream.version': result.streamVersion,
            'duet.events': result.events.length,
          });
          return result;
        },
      );
    },
  };
}

/** Only `true` lets a command through: a policy that returns nothing refuses (fails closed). */
async function authorize(
  command: Message,
  context: CommandContext,
  policy: ((command: Message, context: CommandContext) => Verdict) | undefined,
): Promise<void> {
  if (policy === undefined) return;
  const verdict = await policy(command, context);
  if (verdict === true) return;
  const reason = typeof verdict === 'string' && verdict.length > 0 ? verdict : 'refused by policy';
  throw new AuthorizationError(command.type, reason, context.actor);
}

function eventMetadata(
  command: Message,
  context: CommandContext,
  commandId: string,
  timestamp: string,
): EventMetadata {
  return {
    correlationId: context.correlationId ?? commandId,
    causationId: commandId,
    commandId,
    commandType: command.type,
    ...(context.causationId === undefined ? {} : { commandCausationId: context.causationId }),
    ...(context.actor === undefined ? {} : { actor: context.actor }),
    ...(context.tenant === undefined ? {} : { tenant: context.tenant }),
    // Stamped here so the reply's events carry the same time the store keeps.
    timestamp,
  };
}

function toMessage(command: unknown): Message {
  if (typeof command !== 'object' || command === null || Array.isArray(command)) {
    throw new ValidationError('command', [
      { path: [], message: 'expected an object { type, data }' },
    ]);
  }
  const { type, data } = command as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') throw new UnknownMessageError('command', String(type));
  return { type, data };
}

function isList(value: Message | readonly Message[]): value is readonly Message[] {
  return Array.isArray(value);
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
