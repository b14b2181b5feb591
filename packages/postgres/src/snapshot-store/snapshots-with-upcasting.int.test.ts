import {
  createCommandBus,
  createEventRegistry,
  type Decider,
  DomainError,
  defineCommand,
  defineCommandHandler,
  defineEvent,
  type RecordedEvent,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { openTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createPostgresSnapshotStore } from './postgres-snapshot-store.ts';

// Issue 13: snapshots together with upcasting. A cart written by one deployment (events
// at schema version 1, snapshots of state shape 1) is loaded by the next, where the event
// has a version 2 with an upcaster, and (in one case) the state has a new shape.

const AddLine = defineCommand(
  'AddLine',
  z.strictObject({ cartId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
);
type AddLine = ReturnType<typeof AddLine.create>;
const LineAddedV1 = defineEvent('LineAdded', z.object({ sku: z.string(), qty: z.number() }));
const LineAddedV2 = defineEvent(
  'LineAdded',
  z.object({ sku: z.string(), quantity: z.number(), unitCents: z.number() }),
  {
    version: 2,
    upcasters: {
      1: (data) => {
        const { sku, qty } = data as { sku: string; qty: number };
        return { sku, quantity: qty, unitCents: 0 };
      },
    },
  },
);
type V1 = { sku: string; qty: number };
type V2 = { sku: string; quantity: number; unitCents: number };
const MAX_PER_SKU = 5;

// Deployment 1: state shape 1 counts units; events carry `qty`.
const countingV1: Decider<AddLine, { units: number }, ReturnType<typeof LineAddedV1.create>> = {
  initialState: () => ({ units: 0 }),
  evolve: (state, event) => ({ units: state.units + (event.data as V1).qty }),
  decide: (command) => [LineAddedV1.create({ sku: command.data.sku, qty: command.data.quantity })],
};
// Deployment 2, same state shape: events read as version 2 (`quantity`), upcast on load.
const countingV2: Decider<AddLine, { units: number }, ReturnType<typeof LineAddedV2.create>> = {
  initialState: () => ({ units: 0 }),
  evolve: (state, event) => ({ units: state.units + (event.data as V2).quantity }),
  decide: (command) => [
    LineAddedV2.create({ sku: command.data.sku, quantity: command.data.quantity, unitCents: 0 }),
  ],
};
// Deployment 2, new state shape 2: units per sku, and a rule that needs them.
const perSku: Decider<
  AddLine,
  { lines: Record<string, number> },
  ReturnType<typeof LineAddedV2.create>
> = {
  initialState: () => ({ lines: {} }),
  evolve: (state, event) => {
    const { sku, quantity } = event.data as V2;
    return { lines: { ...state.lines, [sku]: (state.lines[sku] ?? 0) + quantity } };
  },
  decide: (command, state) => {
    const { sku, quantity } = command.data;
    if ((state.lines[sku] ?? 0) + quantity > MAX_PER_SKU) {
      throw new DomainError('TOO_MANY', `at most ${MAX_PER_SKU} of ${sku}`);
    }
    return [LineAddedV2.create({ sku, quantity, unitCents: 0 })];
  },
};

const stream = (command: AddLine) => `cart-${command.data.cartId}`;
const add = (sku: string, quantity: number) => AddLine.create({ cartId: '1', sku, quantity });

function deployment(
  db: TestDatabase,
  events: Parameters<typeof createEventRegistry>[0],
  handler: Parameters<typeof createCommandBus>[0]['handlers'][number],
) {
  const store = createPostgresEventStore({
    executor: db.executor,
    schema: db.schema,
    events: createEventRegistry(events),
  });
  const snapshots = createPostgresSnapshotStore({ executor: db.executor, schema: db.schema });
  const bus = createCommandBus({
    store,
    snapshots,
    handlers: [handler],
    onSnapshotError: (error) => {
      throw error;
    },
  });
  return { store, snapshots, bus };
}

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

describe.each(backends)('snapshots with upcasting on $kind', (backend) => {
  /** Deployment 1 writes `tea` x2, `tea` x1, `mug` x1 (versions 1-3), a snapshot at 2. */
  async function firstDeployment(db: TestDatabase) {
    const one = deployment(
      db,
      [LineAddedV1],
      defineCommandHandler({
        decider: countingV1,
        commands: [AddLine],
        stream,
        snapshot: { version: 1, every: 2 },
      }),
    );
    await one.bus.send(add('tea', 2));
    await one.bus.send(add('tea', 1));
    await one.bus.send(add('mug', 1));
    expect(await one.snapshots.load('cart-1', 1)).toMatchObject({
      streamVersion: 2,
      state: { units: 3 },
    });
    await one.store.close();
  }

  it('given an old snapshot of the same state shape, when the next deployment loads, then it starts from the snapshot and upcasts the old events after it', async () => {
    await using db = await openTestDatabase(backend);
    await firstDeployment(db);
    // Doctored, so the result shows whether the bus started from it: 100 instead of 3.
    const two = deployment(
      db,
      [LineAddedV2],
      defineCommandHandler({
        decider: countingV2,
        commands: [AddLine],
        stream,
        snapshot: { version: 1, every: 2 },
      }),
    );
    await two.snapshots.save({
      stream: 'cart-1',
      streamVersion: 2,
      deciderVersion: 1,
      state: { units: 100 },
    });
    const reply = await two.bus.send(add('pen', 4)); // version 4: passes 4, a snapshot
    expect(reply.streamVersion).toBe(4);
    // 100 from the snapshot, + 1 (version 3, stored as v1 `qty`, upcast) + 4.
    expect(await two.snapshots.load('cart-1', 1)).toMatchObject({
      streamVersion: 4,
      state: { units: 105 },
    });
    const events: RecordedEvent[] = [];
    for await (const event of two.store.readStream('cart-1')) events.push(event);
    expect(events.map((e) => [e.schemaVersion, e.data])).toEqual([
      [2, { sku: 'tea', quantity: 2, unitCents: 0 }],
      [2, { sku: 'tea', quantity: 1, unitCents: 0 }],
      [2, { sku: 'mug', quantity: 1, unitCents: 0 }],
      [2, { sku: 'pen', quantity: 4, unitCents: 0 }],
    ]);
    await two.store.close();
  });

  it('given an old snapshot of another state shape, when the next deployment loads, then it ignores it, folds every upcast event, and snapshots the new shape', async () => {
    await using db = await openTestDatabase(backend);
    await firstDeployment(db);
    const two = deployment(
      db,
      [LineAddedV2],
      defineCommandHandler({
        decider: perSku,
        commands: [AddLine],
        stream,
        snapshot: { version: 2, every: 2 },
      }),
    );
    // tea holds 3 from the old events: 2 more is the limit, 3 more is refused.
    await expect(two.bus.send(add('tea', 3))).rejects.toMatchObject({ rule: 'TOO_MANY' });
    await two.bus.send(add('tea', 2)); // version 4: a snapshot of shape 2
    expect(await two.snapshots.load('cart-1', 2)).toMatchObject({
      streamVersion: 4,
      deciderVersion: 2,
      state: { lines: { tea: 5, mug: 1 } },
    });
    // The old shape's snapshot is still there for a rollback, untouched.
    expect(await two.snapshots.load('cart-1', 1)).toMatchObject({
      streamVersion: 2,
      state: { units: 3 },
    });
    await expect(two.bus.send(add('tea', 1))).rejects.toMatchObject({ rule: 'TOO_MANY' });
    await two.store.close();
  });
});
