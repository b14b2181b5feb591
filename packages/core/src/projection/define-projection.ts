import { ValidationError } from '../errors/validation-error.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventDefinition } from '../messages/define-event.ts';
import type { ProjectionDefinition, ProjectionOptions } from './projection-definition.ts';

// Table names are `<name>_v<version>__<table>`: no double or trailing underscore in a name,
// so one version's prefix never starts another's.
const projectionName = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const maxNameLength = 40;
const maxPartitions = 1024;

/**
 * Declares a read model: the events it reads and how a batch of them changes its tables.
 * A runner (`createProjectionRunner` in @duet/postgres) applies each batch and moves the
 * checkpoint in one transaction.
 *
 * @example
 * const orderHistory = defineProjection({
 *   name: 'order_history', version: 1, events: [OrderPlaced],
 *   setup: (tx, t) => tx.query(`CREATE TABLE ${t.name('orders')} (id text PRIMARY KEY)`).then(() => {}),
 *   apply: async (tx, events, t) => { for (const e of events)
 *     await tx.query(`INSERT INTO ${t.name('orders')} VALUES ($1)`, [e.stream]) },
 * });
 */
export function defineProjection<E extends RecordedEvent = RecordedEvent>(
  options: ProjectionOptions<E>,
): ProjectionDefinition<E> {
  if (typeof options !== 'object' || options === null) {
    throw fail('projection options', [], 'expected an object');
  }
  const { name, setup, apply } = options;
  if (typeof name !== 'string' || !projectionName.test(name) || name.length > maxNameLength) {
    throw fail(
      'projection option name',
      [],
      `expected lower case letters, digits and single underscores, starting with a letter, at most ${maxNameLength} characters, got ${JSON.stringify(name)}`,
    );
  }
  const subject = `projection ${name} option`;
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw fail(`${subject} version`, [], `expected a whole number >= 1, got ${String(version)}`);
  }
  const partitions = options.partitions ?? 1;
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > maxPartitions) {
    throw fail(
      `${subject} partitions`,
      [],
      `expected a whole number from 1 to ${maxPartitions}, got ${String(partitions)}`,
    );
  }
  const onFailure = options.onFailure ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'skip' && onFailure !== 'park') {
    throw fail(`${subject} onFailure`, [], `expected 'stop', 'skip' or 'park'`);
  }
  if (typeof setup !== 'function') throw fail(`${subject} setup`, [], 'expected a function');
  if (typeof apply !== 'function') throw fail(`${subject} apply`, [], 'expected a function');
  const { eventTypes, eventDefinitions } = checkEvents(subject, options.events);
  return {
    kind: 'projection',
    name,
    version,
    eventTypes,
    eventDefinitions,
    partitions,
    onFailure,
    setup: (tx, tables) => setup(tx, tables),
    apply: (tx, events, tables) => apply(tx, events, tables),
  };
}

function checkEvents(
  subject: string,
  events: unknown,
): { eventTypes: string[]; eventDefinitions: EventDefinition[] } {
  if (!Array.isArray(events) || events.length === 0) {
    throw fail(`${subject} events`, [], 'expected at least one event definition or type name');
  }
  const eventTypes = new Set<string>();
  const eventDefinitions: EventDefinition[] = [];
  events.forEach((event: unknown, index) => {
    if (typeof event === 'string' && event.length > 0) {
      eventTypes.add(event);
    } else if (isEventDefinition(event)) {
      eventTypes.add(event.type);
      eventDefinitions.push(event);
    } else {
      throw fail(`${subject} events`, [index], 'expected an event definition or a type name');
    }
  });
  return { eventTypes: [...eventTypes], eventDefinitions };
}

function isEventDefinition(value: unknown): value is EventDefinition {
  const candidate = value as Partial<EventDefinition> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.kind === 'event' &&
    typeof candidate.type === 'string'
  );
}

function fail(subject: string, path: (string | number)[], message: string): ValidationError {
  return new ValidationError(subject, [{ path, message }]);
}
