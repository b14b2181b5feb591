import { describe, expect, it } from 'vitest';
import type { CartState } from '../../test-support/command-bus.ts';
import {
  AddItem,
  cartHandler,
  createFakeEventStore,
  createFakeSnapshotStore,
  OpenCart,
} from '../../test-support/command-bus.ts';
import type { ReadStreamOptions } from '../event-store/event-store.ts';
import { createCommandBus } from './create-command-bus.ts';
import { defineCommandHandler } from './define-command-handler.ts';

const snapshotting = defineCommandHandler({ ...cartHandler, snapshot: { version: 1, every: 3 } });
const add = (quantity: number) => AddItem.create({ cartId: 'c1', sku: 'a', quantity });

function setup(fail: { load?: boolean; save?: boolean } = {}) {
  const store = createFakeEventStore();
  const snapshots = createFakeSnapshotStore(fail);
  const errors: unknown[] = [];
  const bus = createCommandBus({
    store,
    snapshots,
    handlers: [snapshotting],
    onSnapshotError: (error) => errors.push(error),
  });
  return { store, snapshots, bus, errors };
}

describe('createCommandBus snapshots', () => {
  it('given every 3, when the stream passes 3 and 6, then a snapshot is saved at each with the new state', async () => {
    const { bus, snapshots } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' })); // v1
    await bus.send(add(1)); // v2
    expect(snapshots.saved).toHaveLength(0);
    await bus.send(add(2)); // v3, v4: passes 3
    await bus.send(add(1)); // v5
    await bus.send(add(2)); // v6, v7: passes 6
    expect(snapshots.saved).toEqual([
      { stream: 'cart-c1', streamVersion: 4, deciderVersion: 1, state: { open: true, items: 3 } },
      { stream: 'cart-c1', streamVersion: 7, deciderVersion: 1, state: { open: true, items: 6 } },
    ]);
  });

  it('given a snapshot, when a command is sent, then only the tail after it is read', async () => {
    const { bus, store, snapshots } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' })); // v1
    await bus.send(add(3)); // v2, v3: snapshot at 3
    // Doctor the snapshot: if the bus folds from it, the count shows the doctored items.
    const doctored: CartState = { open: true, items: 100 };
    await snapshots.save({
      stream: 'cart-c1',
      streamVersion: 3,
      deciderVersion: 1,
      state: doctored,
    });
    await store.append('cart-c1', [{ type: 'ItemAdded', data: { sku: 'b', quantity: 1 } }]); // v4
    const reads: (number | undefined)[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push(options?.fromVersion);
      return readStream(stream, options);
    };

    const reply = await bus.send(add(2)); // v5, v6: passes 6
    expect(reads).toEqual([4]);
    expect(reply.streamVersion).toBe(6);
    expect(snapshots.saved.at(-1)).toMatchObject({ streamVersion: 6, state: { items: 103 } });
  });

  it('given a snapshot of another decider version, when a command is sent, then the whole stream is read', async () => {
    const { bus, snapshots, store } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    await snapshots.save({ stream: 'cart-c1', streamVersion: 1, deciderVersion: 0, state: {} });
    const reads: (number | undefined)[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push(options?.fromVersion);
      return readStream(stream, options);
    };
    await bus.send(add(1));
    expect(reads).toEqual([1]);
  });

  it('given a stream shorter than every, when a command is sent, then it is read once and no snapshot is loaded', async () => {
    const { bus, store, snapshots } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' })); // v1
    const loads: string[] = [];
    const load = snapshots.load.bind(snapshots);
    snapshots.load = (stream, deciderVersion) => {
      loads.push(stream);
      return load(stream, deciderVersion);
    };
    const reads: (ReadStreamOptions | undefined)[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push(options);
      return readStream(stream, options);
    };

    const reply = await bus.send(add(1)); // v2
    expect(reads).toEqual([{ fromVersion: 1, maxCount: 3 }]);
    expect(loads).toEqual([]);
    expect(reply.streamVersion).toBe(2);
  });

  it('given a long stream this bus has not seen, when a command is sent, then its first every events, the snapshot and the tail after it are read', async () => {
    const store = createFakeEventStore();
    const snapshots = createFakeSnapshotStore();
    // Another process wrote the stream and its snapshot at version 4.
    await store.append('cart-c1', [
      { type: 'CartOpened', data: { cartId: 'c1' } },
      ...[1, 2, 3, 4].map(() => ({ type: 'ItemAdded', data: { sku: 'a', quantity: 1 } })),
    ]);
    const doctored: CartState = { open: true, items: 100 };
    await snapshots.save({
      stream: 'cart-c1',
      streamVersion: 4,
      deciderVersion: 1,
      state: doctored,
    });
    const bus = createCommandBus({ store, snapshots, handlers: [snapshotting] });
    const reads: (ReadStreamOptions | undefined)[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push(options);
      return readStream(stream, options);
    };

    await bus.send(add(1)); // v6
    const reply = await bus.send(add(1)); // v7: passes 6 on the first send
    expect(reads).toEqual([
      { fromVersion: 1, maxCount: 3 },
      { fromVersion: 5 },
      { fromVersion: 7 },
    ]);
    expect(reply.streamVersion).toBe(7);
    expect(snapshots.saved.at(-1)).toMatchObject({ streamVersion: 6, state: { items: 102 } });
  });

  it('given the snapshot store fails to save, when a command is sent, then the command still succeeds', async () => {
    const { bus, store, errors } = setup({ save: true });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    const reply = await bus.send(add(3)); // v2, v3: passes 3
    expect(reply.streamVersion).toBe(3);
    expect(store.stored).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });

  it('given the snapshot store fails to load, when a command is sent, then the stream is read in full', async () => {
    const { bus, errors } = setup({ load: true });
    await bus.send(OpenCart.create({ cartId: 'c1' })); // v1
    await bus.send(add(3)); // v2, v3: as long as every
    const reply = await bus.send(add(2));
    expect(reply.streamVersion).toBe(5);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('given the error reporter throws, when a snapshot fails, then the command still succeeds', async () => {
    const store = createFakeEventStore();
    const bus = createCommandBus({
      store,
      snapshots: createFakeSnapshotStore({ save: true }),
      handlers: [snapshotting],
      onSnapshotError: () => {
        throw new Error('logger is down');
      },
    });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    await expect(bus.send(add(3))).resolves.toMatchObject({ streamVersion: 3 });
  });

  it('given a handler without a snapshot policy, when its stream grows, then no snapshot is saved', async () => {
    const store = createFakeEventStore();
    const snapshots = createFakeSnapshotStore();
    const bus = createCommandBus({ store, snapshots, handlers: [cartHandler] });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    await bus.send(add(5));
    expect(snapshots.saved).toHaveLength(0);
  });
});
