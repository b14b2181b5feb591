import type {
  AppendIdempotencyKey,
  AppendLimits,
  AppendOptions,
  EventRegistry,
  NewEvent,
} from '@duet/core';
import { categoryOf } from '@duet/core';
import { type CheckedAppend, checkIdempotencyInput, prepareAppendInput } from '@duet/core/adapters';

/** An append checked and serialized, ready to join a batch of `append_events`. */
export interface PreparedAppend {
  readonly stream: string;
  /** As the caller gave it, for the `ConcurrencyError`. */
  readonly expected: CheckedAppend['expected'];
  /** The batch item as JSON text (see 002-append-events.sql.ts). */
  readonly json: string;
  /** Events in it (for the events-per-commit metric). */
  readonly count: number;
  /** The events' ids in order, the caller's or made here: the append's result names them. */
  readonly ids: readonly string[];
}

export interface PrepareContext {
  readonly registry: EventRegistry | undefined;
  readonly limits: AppendLimits;
  readonly now: () => Date;
}

/**
 * Checks one append with core's shared validation (the in-memory store runs the same)
 * and serializes it as one item of the batch. Throws `ValidationError`,
 * `UnknownMessageError` or `LimitExceededError`; nothing is sent.
 */
export async function prepareAppend(
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions | undefined,
  context: PrepareContext,
): Promise<PreparedAppend> {
  const at = context.now().toISOString();
  const checked = await prepareAppendInput(stream, events, options?.expectedVersion ?? 'any', {
    limits: context.limits,
    registry: context.registry,
    timestamp: at,
  });
  const { expected } = checked;
  const items = checked.events.map(
    (event) =>
      `{"id":"${event.id}","type":${JSON.stringify(event.type)},"schemaVersion":${event.schemaVersion},"data":${event.data},"metadata":${event.metadata}}`,
  );
  const key = idempotencyKeyJson(options?.idempotencyKey);
  const json = `{"stream":${JSON.stringify(checked.stream)},"category":${JSON.stringify(categoryOf(checked.stream))},"expected":"${expected === 0 ? 'no_stream' : String(expected)}","at":"${at}","checkIds":${checked.idsGiven},${key}"events":[${items.join(',')}]}`;
  return {
    stream: checked.stream,
    expected,
    json,
    count: checked.events.length,
    ids: checked.events.map((event) => event.id),
  };
}

/** The batch item's `"idempotencyKey":{...},` member (completed by append_events), or ''. */
function idempotencyKeyJson(key: AppendIdempotencyKey | undefined): string {
  if (key === undefined) return '';
  checkIdempotencyInput({ scope: key.scope, key: key.key });
  const { scope, key: name, token, result = {} } = key;
  return `"idempotencyKey":${JSON.stringify({ scope, key: name, token, result })},`;
}
