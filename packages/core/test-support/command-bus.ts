// Test support for the command bus tests only: a small cart decider and a fake event store
// that can be told to lose races. (Stands in until the in-memory adapter is exported; it
// implements just what the bus calls.)
import { z } from 'zod';
import { defineCommandHandler } from '../src/command-bus/define-command-handler.ts';
import type { Decider } from '../src/decider/decider.ts';
import { ConcurrencyError } from '../src/errors/concurrency-error.ts';
import { DomainError } from '../src/errors/domain-error.ts';
import { checkAppend } from '../src/event-store/append-limits.ts';
import type { AppendResult, EventStore } from '../src/event-store/event-store.ts';
import { matchesExpectedVersion } from '../src/event-store/expected-version.ts';
import { makePosition, START_POSITION } from '../src/event-store/position.ts';
import type { NewEvent, RecordedEvent } from '../src/event-store/recorded-event.ts';
import type { Snapshot, SnapshotStore } from '../src/event-store/snapshot-store.ts';
import { toStreamName } from '../src/event-store/stream-name.ts';
import { type CommandOf, defineCommand } from '../src/messages/define-command.ts';
import type { Message } from '../src/messages/message.ts';

export const OpenCart = defineCommand('OpenCart', z.strictObject({ cartId: z.string().min(1) }));
export const AddItem = defineCommand(
  'AddItem',
  z.strictObject({ cartId: z.string().min(1), sku: z.string(), quantity: z.number().int().min(1) }),
);
export const Touch = defineCommand('Touch', z.strictObject({ cartId: z.string().min(1) }));

export type CartCommand =
  | CommandOf<typeof OpenCart>
  | CommandOf<typeof AddItem>
  | CommandOf<typeof Touch>;
export type CartEvent =
  | Message<'CartOpened', { cartId: string }>
  | Message<'ItemAdded', { sku: string; quantity: number }>;
export interface CartState {
  readonly open: boolean;
  readonly items: number;
}

export const cartDecider: Decider<CartCommand, CartState, CartEvent> = {
  initialState: () => ({ open: false, items: 0 }),
  evolve: (state, event) =>
    event.type === 'CartOpened'
      ? { ...state, open: true }
      : { ...state, items: state.items + event.data.quantity },
  decide(command, state) {
    switch (command.type) {
      case 'OpenCart':
        if (state.open) throw new DomainError('CART_OPEN', 'the cart is already open');
        return { type: 'CartOpened', data: { cartId: command.data.cartId } };
      case 'AddItem': {
        if (!state.open) throw new DomainError('CART_CLOSED', 'open the cart first');
        const { sku, quantity } = command.data;
        // Two events per command, so versions and positions of a batch are exercised.
        return [
          { type: 'ItemAdded', data: { sku, quantity: 1 } },
          ...(quantity > 1
            ? [{ type: 'ItemAdded' as const, data: { sku, quantity: quantity - 1 } }]
            : []),
        ];
      }
      case 'Touch':
        return [];
    }
  },
};

export const cartHandler = defineCommandHandler({
  decider: cartDecider,
  commands: [OpenCart, AddItem, Touch],
  stream: (command) => `cart-${command.data.cartId}`,
});

/** A fake store: one global sequence, expected-version checks, and appends that can lose. */
export interface FakeEventStore extends EventStore {
  /** Every event stored, in order. */
  readonly stored: RecordedEvent[];
  /** How many times `append` was called. */
  appendCalls: number;
  /** Before each of the next `n` appends, a rival writes one event to the same stream first. */
  loseNextAppends(n: number): void;
}

export function createFakeEventStore(): FakeEventStore {
  const stored: RecordedEvent[] = [];
  let rivals = 0;
  const eventsOf = (stream: string) => stored.filter((event) => event.stream === stream);
  const write = (stream: string, events: readonly NewEvent[]): AppendResult => {
    checkAppend(stream, events);
    const base = eventsOf(stream).length;
    const ids: string[] = [];
    const positions = events.map((event, index) => {
      const position = makePosition(1n, BigInt(stored.length + 1));
      const id = event.id ?? `id-${stored.length + 1}`;
      ids.push(id);
      stored.push({
        id,
        stream: toStreamName(stream),
        streamVersion: base + index + 1,
        position,
        type: event.type,
        schemaVersion: 1,
        data: event.data,
        metadata: { ...event.metadata, timestamp: event.metadata?.timestamp ?? 'now' },
      });
      return position;
    });
    return {
      stream: toStreamName(stream),
      streamVersion: base + events.length,
      position: positions[positions.length - 1]!,
      positions,
      ids,
    };
  };
  const store: FakeEventStore = {
    stored,
    appendCalls: 0,
    loseNextAppends(n) {
      rivals = n;
    },
    async append(stream, events, options = {}) {
      store.appendCalls++;
      if (rivals > 0) {
        rivals--;
        write(stream, [{ type: 'ItemAdded', data: { sku: 'rival', quantity: 1 } }]);
      }
      const actual = eventsOf(stream).length;
      const expected = options.expectedVersion ?? 'any';
      if (!matchesExpectedVersion(expected, actual)) {
        throw new ConcurrencyError(stream, expected, actual);
      }
      return write(stream, events);
    },
    async *readStream<E extends Message>(
      stream: string,
      options: { fromVersion?: number; maxCount?: number } = {},
    ) {
      let left = options.maxCount ?? Number.POSITIVE_INFINITY;
      for (const event of eventsOf(stream)) {
        if (left <= 0) return;
        if (event.streamVersion < (options.fromVersion ?? 1)) continue;
        left--;
        yield event as RecordedEvent<E>;
      }
    },
    async *readAll<E extends Message>() {
      for (const event of stored) yield event as RecordedEvent<E>;
    },
    async *subscribe<E extends Message>() {
      for (const event of stored) yield event as RecordedEvent<E>;
    },
    async streamInfo(stream) {
      const last = eventsOf(stream).at(-1);
      return last
        ? {
            stream: toStreamName(stream),
            version: last.streamVersion,
            position: last.position,
            createdAt: '',
            updatedAt: '',
          }
        : null;
    },
    async headPosition() {
      return stored.at(-1)?.position ?? START_POSITION;
    },
  };
  return store;
}

/** A snapshot store in a Map, which can be told to fail. */
export function createFakeSnapshotStore(fail: { load?: boolean; save?: boolean } = {}) {
  const saved: Snapshot[] = [];
  const latest = new Map<string, Snapshot>();
  const snapshots: SnapshotStore & { saved: Snapshot[] } = {
    saved,
    async load<State>(stream: string, deciderVersion: number) {
      if (fail.load) throw new Error('snapshot store is down');
      return (latest.get(`${stream}@${deciderVersion}`) as Snapshot<State> | undefined) ?? null;
    },
    async save<State>(snapshot: Snapshot<State>) {
      if (fail.save) throw new Error('snapshot store is down');
      saved.push(snapshot);
      latest.set(`${snapshot.stream}@${snapshot.deciderVersion}`, snapshot);
    },
  };
  return snapshots;
}
