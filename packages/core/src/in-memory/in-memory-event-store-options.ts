import { ValidationError, type ValidationIssue } from '../errors/validation-error.ts';
import { type AppendLimits, DEFAULT_APPEND_LIMITS } from '../event-store/append-limits.ts';
import type { EventRegistry } from '../messages/event-registry.ts';

/** How to build an in-memory event store; every field is optional. */
export interface InMemoryEventStoreOptions {
  /** Checks data on append, stamps its schema version and upcasts on read (default: none, any data). */
  readonly events?: EventRegistry;
  /** Overrides of `DEFAULT_APPEND_LIMITS` (1 MiB per event, 16 MiB and 10,000 events per append). */
  readonly limits?: Partial<AppendLimits>;
  /** The clock for metadata timestamps and stream times (default `() => new Date()`). */
  readonly now?: () => Date;
  /** Events per page when a read gives no `pageSize` (default 100). */
  readonly pageSize?: number;
}

/** The options with defaults filled in, after validation. */
export interface ResolvedInMemoryEventStoreOptions {
  readonly events: EventRegistry | undefined;
  readonly limits: AppendLimits;
  readonly now: () => Date;
  readonly pageSize: number;
}

const DEFAULT_PAGE_SIZE = 100;

/**
 * Validates options once, at creation, so a typo fails at start-up rather than on the
 * first append. Throws `ValidationError` naming every bad option.
 */
export function resolveInMemoryEventStoreOptions(
  options: InMemoryEventStoreOptions = {},
): ResolvedInMemoryEventStoreOptions {
  const issues: ValidationIssue[] = [];
  const { events, limits = {}, now, pageSize } = options;
  if (
    events !== undefined &&
    (typeof events?.check !== 'function' || typeof events.upcast !== 'function')
  ) {
    issues.push({ path: ['events'], message: 'expected an EventRegistry (createEventRegistry)' });
  }
  if (now !== undefined && typeof now !== 'function') {
    issues.push({ path: ['now'], message: 'expected a function that returns a Date' });
  }
  if (pageSize !== undefined && !isPositiveInteger(pageSize)) {
    issues.push({ path: ['pageSize'], message: `expected a whole number >= 1, got ${pageSize}` });
  }
  for (const key of Object.keys(limits) as (keyof AppendLimits)[]) {
    if (!(key in DEFAULT_APPEND_LIMITS)) {
      issues.push({ path: ['limits', key], message: 'unknown limit' });
    } else if (limits[key] !== undefined && !isPositiveInteger(limits[key])) {
      issues.push({ path: ['limits', key], message: `expected a whole number >= 1` });
    }
  }
  if (issues.length > 0) throw new ValidationError('createInMemoryEventStore options', issues);
  return {
    events,
    limits: { ...DEFAULT_APPEND_LIMITS, ...definedOnly(limits) },
    now: now ?? (() => new Date()),
    pageSize: pageSize ?? DEFAULT_PAGE_SIZE,
  };
}

/** True for a whole number >= 1 (read options use it too). */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

// With exactOptionalPropertyTypes a caller may still pass `{ maxEventBytes: undefined }`
// from plain JavaScript; it must not erase the default.
function definedOnly(limits: Partial<AppendLimits>): Partial<AppendLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
