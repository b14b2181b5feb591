import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import { inTenantOf } from '../tenancy/tenant-scope.ts';
import { isSealedField, openField, type SealedField } from './personal-data-envelope.ts';
import type { PersonalDataKeys } from './personal-data-keys.ts';
import { FORGOTTEN } from './personal-fields.ts';

// The sealed data an opened event came from, on the event under a symbol: spreads keep it,
// JSON leaves it out. Whoever persists an event elsewhere (a dead letter) stores that instead.
const sealedKey = Symbol('duet.sealedData');

interface SealedOrigin {
  readonly data: unknown;
  readonly schemaVersion: number;
}

/**
 * The event as the store holds it: personal fields sealed again (as read, with the schema
 * version they were read at), without `forgottenPersonalData`. For anything that keeps a
 * copy of an opened event outside the store, such as a dead letter; other events come back as they are.
 *
 * @example
 * await insertDeadLetter({ ...asStoredEvent(event), error });
 */
export function asStoredEvent<E extends RecordedEvent>(event: E): E {
  const origin = (event as { [sealedKey]?: SealedOrigin })[sealedKey];
  if (!origin) return event;
  const { forgottenPersonalData: _, ...metadata } = event.metadata;
  return { ...event, data: origin.data, schemaVersion: origin.schemaVersion, metadata };
}

/** The subjects whose keys a batch of data needs: one key look-up for the lot. */
export function subjectsIn(datas: readonly unknown[]): string[] {
  const subjects = new Set<string>();
  for (const data of datas) {
    if (typeof data !== 'object' || data === null) continue;
    for (const value of Object.values(data)) {
      if (isSealedField(value)) subjects.add(value.$personal.subject);
    }
  }
  return [...subjects];
}

/**
 * Opens every sealed top-level field of `data` whose subject has a key in `keys`; a
 * field whose subject has none (forgotten) becomes `replacements[field]` (default
 * `FORGOTTEN`) and is listed in `forgotten`. Data without sealed fields comes back as is.
 *
 * @example
 * const { data, forgotten } = openData(event.data, event.id, await keys.findKeys(subjectsIn([event.data])));
 */
export function openData(
  data: unknown,
  id: string,
  keys: ReadonlyMap<string, Uint8Array>,
  replacements: Readonly<Record<string, unknown>> = {},
): { data: unknown; forgotten: string[] } {
  const forgotten: string[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { data, forgotten };
  const sealed = Object.entries(data).filter((entry): entry is [string, SealedField] =>
    isSealedField(entry[1]),
  );
  if (sealed.length === 0) return { data, forgotten };
  const opened: Record<string, unknown> = { ...data };
  for (const [field, value] of sealed) {
    const key = keys.get(value.$personal.subject);
    if (key) {
      opened[field] = openField(key, value, { id, field });
    } else {
      opened[field] = field in replacements ? replacements[field] : FORGOTTEN;
      forgotten.push(field);
    }
  }
  return { data: opened, forgotten };
}

/**
 * Opens the sealed fields of a batch of recorded events with one key look-up. A field of
 * a forgotten subject reads as its definition's replacement, and the event's metadata
 * lists it in `forgottenPersonalData`, so schema checks on read skip it.
 */
export async function openPersonalEvents<E extends RecordedEvent>(
  events: readonly E[],
  keys: PersonalDataKeys,
  registry: EventRegistry | undefined,
): Promise<E[]> {
  const subjects = subjectsIn(events.map((event) => event.data));
  if (subjects.length === 0) return [...events];
  // A subject's key is its tenant's: look keys up per tenant, as that tenant (a system
  // reader, such as a relay or a runner, reads events of many).
  const byTenant = new Map<string, E[]>();
  for (const event of events) {
    const tenant = typeof event.metadata.tenant === 'string' ? event.metadata.tenant : '';
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), event]);
  }
  const foundByTenant = new Map<string, ReadonlyMap<string, Uint8Array>>();
  for (const [tenant, group] of byTenant) {
    const wanted = subjectsIn(group.map((event) => event.data));
    if (wanted.length === 0) continue;
    foundByTenant.set(tenant, await inTenantOf(group[0]!, () => keys.findKeys(wanted)));
  }
  return events.map((event) => {
    const replacements = registry?.get(event.type)?.personal?.forgotten;
    const tenant = typeof event.metadata.tenant === 'string' ? event.metadata.tenant : '';
    const found = foundByTenant.get(tenant) ?? new Map<string, Uint8Array>();
    const { data, forgotten } = openData(event.data, event.id, found, replacements);
    if (data === event.data) return event;
    const metadata =
      forgotten.length > 0
        ? { ...event.metadata, forgottenPersonalData: forgotten }
        : event.metadata;
    const origin: SealedOrigin = { data: event.data, schemaVersion: event.schemaVersion };
    return { ...event, data, metadata, [sealedKey]: origin };
  });
}

/**
 * Opens a stream of recorded events one at a time as they come (a key look-up for each
 * event that has sealed fields): for reads that must not be gathered into pages.
 *
 * @example
 * for await (const event of openPersonalStream(tx.readStream('customer-7'), keys, events)) state = evolve(state, event);
 */
export async function* openPersonalStream<E extends RecordedEvent>(
  source: AsyncIterable<E>,
  keys: PersonalDataKeys,
  registry: EventRegistry | undefined,
): AsyncGenerator<E> {
  for await (const event of source) yield (await openPersonalEvents([event], keys, registry))[0]!;
}
