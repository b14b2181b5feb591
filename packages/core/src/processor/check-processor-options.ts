import { ValidationError } from '../errors/validation-error.ts';
import type { EventDefinition } from '../messages/define-event.ts';
import type { FailurePolicy, ProcessorBase } from './processor-definition.ts';

// Table names are `<name>_v<version>__<table>`: no double or trailing underscore in a name,
// so one version's prefix never starts another's.
const processorName = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const maxNameLength = 40;
const maxPartitions = 1024;

/** What every `define*` of a processor takes besides its handler. */
export interface ProcessorOptions {
  /** Lower case, digits and single underscores; names tables and checkpoints, so at most 40 characters. */
  readonly name: string;
  /** Bump it to rebuild beside the old version (blue-green). Default 1. */
  readonly version?: number;
  /**
   * The event types it reads: definitions (upcast on read) or type names, or `'all'` for
   * every event in the store.
   */
  readonly events: readonly (EventDefinition | string)[] | 'all';
  /** Partitions by a stable hash of the stream name, each with its own checkpoint. Default 1. */
  readonly partitions?: number;
  /** Default `'stop'`. */
  readonly onFailure?: FailurePolicy;
}

/** Checks the options every processor shares; a bad one throws `ValidationError` naming it. */
export function checkProcessorOptions(kind: string, options: ProcessorOptions): ProcessorBase {
  if (typeof options !== 'object' || options === null) {
    throw fail(`${kind} options`, 'expected an object');
  }
  const { name } = options;
  if (typeof name !== 'string' || !processorName.test(name) || name.length > maxNameLength) {
    throw fail(
      `${kind} option name`,
      `expected lower case letters, digits and single underscores, starting with a letter, at most ${maxNameLength} characters, got ${JSON.stringify(name)}`,
    );
  }
  const subject = `${kind} ${name} option`;
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw fail(`${subject} version`, `expected a whole number >= 1, got ${String(version)}`);
  }
  const partitions = options.partitions ?? 1;
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > maxPartitions) {
    throw fail(
      `${subject} partitions`,
      `expected a whole number from 1 to ${maxPartitions}, got ${String(partitions)}`,
    );
  }
  const onFailure = options.onFailure ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'skip' && onFailure !== 'park') {
    throw fail(`${subject} onFailure`, `expected 'stop', 'skip' or 'park'`);
  }
  const { eventTypes, eventDefinitions } = checkEvents(subject, options.events);
  return { name, version, eventTypes, eventDefinitions, partitions, onFailure };
}

/** Checks that a handler option is a function. */
export function checkHandler(kind: string, name: string, option: string, value: unknown): void {
  if (typeof value !== 'function')
    throw fail(`${kind} ${name} option ${option}`, 'expected a function');
}

function checkEvents(
  subject: string,
  events: unknown,
): { eventTypes: string[] | null; eventDefinitions: EventDefinition[] } {
  if (events === 'all') return { eventTypes: null, eventDefinitions: [] };
  if (!Array.isArray(events) || events.length === 0) {
    throw fail(
      `${subject} events`,
      "expected 'all', or at least one event definition or type name",
    );
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
      throw fail(`${subject} events`, 'expected an event definition or a type name', [index]);
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

function fail(subject: string, message: string, path: (string | number)[] = []): ValidationError {
  return new ValidationError(subject, [{ path, message }]);
}
