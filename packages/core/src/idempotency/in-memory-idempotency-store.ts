import { randomUUID } from 'node:crypto';
import {
  checkIdempotencyInput,
  resolveIdempotencyStoreOptions,
} from './check-idempotency-input.ts';
import type {
  IdempotencyClaim,
  IdempotencyStore,
  IdempotencyStoreOptions,
} from './idempotency-store.ts';

interface Entry {
  readonly requestHash: string;
  token: string;
  state: 'pending' | 'completed';
  result: unknown;
  /** A pending entry may be taken over after this; a completed one is gone after it. */
  until: number;
}

/** Options of `createInMemoryIdempotencyStore`. */
export interface InMemoryIdempotencyStoreOptions extends IdempotencyStoreOptions {
  /** The clock, in ms (default `Date.now`); tests pass their own to expire entries. */
  readonly now?: () => number;
}

/**
 * An idempotency store in one process's memory, for tests and single-process services.
 * Every method runs synchronously to its end, so two claims of one key never both win.
 *
 * @example
 * const idempotency = createInMemoryIdempotencyStore({ ttlMs: 60 * 60 * 1000 });
 * await app.register(duetHttp, { commandBus, queryBus, commands, queries, idempotency });
 */
export function createInMemoryIdempotencyStore(
  options: InMemoryIdempotencyStoreOptions = {},
): IdempotencyStore {
  const { ttlMs, lockMs } = resolveIdempotencyStoreOptions(options);
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // JSON of the pair, so no scope/key split can make two different pairs collide.
  const id = (scope: string, key: string) => JSON.stringify([scope, key]);

  const sweep = (at: number) => {
    for (const [name, entry] of entries) {
      if (entry.state === 'completed' && entry.until <= at) entries.delete(name);
    }
  };

  return {
    async claim(scope, key, requestHash, claimOptions = {}): Promise<IdempotencyClaim> {
      checkIdempotencyInput({ scope, key, requestHash, lockMs: claimOptions.lockMs });
      const at = now();
      sweep(at);
      const entry = entries.get(id(scope, key));
      const expired = entry !== undefined && entry.state === 'pending' && entry.until <= at;
      if (entry && !expired) {
        if (entry.requestHash !== requestHash) return { status: 'mismatch' };
        if (entry.state === 'pending') return { status: 'in-progress' };
        return { status: 'completed', result: structuredClone(entry.result) };
      }
      const token = randomUUID();
      entries.set(id(scope, key), {
        requestHash,
        token,
        state: 'pending',
        result: undefined,
        until: at + (claimOptions.lockMs ?? lockMs),
      });
      return { status: 'claimed', token };
    },
    async complete(scope, key, token, result) {
      checkIdempotencyInput({ scope, key });
      const entry = entries.get(id(scope, key));
      if (!entry || entry.token !== token || entry.state !== 'pending') return;
      // A copy in JSON's terms, so what a replay returns is what a database would keep.
      entry.result = result === undefined ? null : JSON.parse(JSON.stringify(result));
      entry.state = 'completed';
      entry.until = now() + ttlMs;
    },
    async release(scope, key, token) {
      checkIdempotencyInput({ scope, key });
      const entry = entries.get(id(scope, key));
      if (entry && entry.token === token && entry.state === 'pending') {
        entries.delete(id(scope, key));
      }
    },
  };
}
