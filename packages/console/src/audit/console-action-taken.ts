import { defineEvent, type Schema } from '@duet/core';

/** The data of a `ConsoleActionTaken` audit event. */
export interface ConsoleActionTakenData {
  /** e.g. 'rebuild', 'retry-dead-letter'. */
  readonly action: string;
  /** What it acted on, e.g. { service: 'orders', processor: 'order_list' }. */
  readonly target: Readonly<Record<string, string>>;
  readonly outcome: 'done' | 'failed';
  readonly detail?: string;
  /** The actor's roles when it acted. */
  readonly roles: readonly string[];
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// A Standard Schema written out, so the console needs no schema library at run time.
const schema: Schema<ConsoleActionTakenData> = {
  '~standard': {
    version: 1,
    vendor: 'duet-console',
    validate(value) {
      const ok =
        isRecord(value) &&
        isText(value.action) &&
        isRecord(value.target) &&
        Object.values(value.target).every(isText) &&
        (value.outcome === 'done' || value.outcome === 'failed') &&
        (value.detail === undefined || isText(value.detail)) &&
        Array.isArray(value.roles) &&
        value.roles.every(isText);
      return ok
        ? { value: value as unknown as ConsoleActionTakenData }
        : { issues: [{ message: 'expected { action, target, outcome, detail?, roles }' }] };
    },
  },
};

/**
 * The audit event of every console action (done or failed). A store with a strict event
 * registry (the default) takes it only when its registry has this definition.
 *
 * @example
 * const store = createPostgresEventStore({ executor, events: createEventRegistry([...mine, ConsoleActionTaken]) });
 */
export const ConsoleActionTaken = defineEvent('ConsoleActionTaken', schema, {
  jsonSchema: {
    type: 'object',
    required: ['action', 'target', 'outcome', 'roles'],
    properties: {
      action: { type: 'string' },
      target: { type: 'object', additionalProperties: { type: 'string' } },
      outcome: { enum: ['done', 'failed'] },
      detail: { type: 'string' },
      roles: { type: 'array', items: { type: 'string' } },
    },
  },
});
