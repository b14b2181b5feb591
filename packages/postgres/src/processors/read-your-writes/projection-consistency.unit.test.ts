import { DuetError, StaleReadError, ValidationError } from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import { describe, expect, it } from 'vitest';
import type { NotifyHandler, SqlExecutor } from '../../executor/sql-executor.ts';
import { createProjectionConsistency } from './projection-consistency.ts';

const behind = makePosition(1n, 1n);
const target = makePosition(2n, 5n);

// Just enough executor for the waiter: checkpoint rows it can change, a count of looks,
// and the LISTEN callback so the test can play the runner's NOTIFY.
function fakeReadModels() {
  const state = {
    reached: behind as string,
    looks: 0,
    running: 0,
    notify: null as NotifyHandler | null,
  };
  const executor = {
    kind: 'pglite',
    async query() {
      state.looks++;
      state.running++;
      // A look sees the checkpoint as it was when the look began, however long it takes.
      const reached = state.reached;
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.running--;
      return { rows: [{ name: 'orders', reached }] };
    },
    async listen(_channel: string, onNotify: NotifyHandler) {
      state.notify = onNotify;
      return async () => {};
    },
    transaction: () => Promise.reject(new Error('not used')),
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  } as unknown as SqlExecutor;
  return { state, executor };
}

const request = (timeoutMs = 5_000) => ({
  projections: ['orders'],
  minPosition: target,
  tokens: [] as string[],
  timeoutMs,
  queryType: 'OrderDetail',
});

describe('the consistency waiter', () => {
  it('given 20 queries waiting on one projection, when one notification moves it past them, then two looks serve them all', async () => {
    const { state, executor } = fakeReadModels();
    const consistency = createProjectionConsistency({ executor });
    const waits = Array.from({ length: 20 }, () => consistency.wait(request()));
    // The first look has come back behind (a loaded machine may take its time).
    while (state.looks === 0 || state.running > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(state.looks).toBe(1);
    state.reached = target;
    state.notify?.('orders');
    await Promise.all(waits);
    expect(state.looks).toBe(2);
    await consistency.close();
  });

  it('given a look begun before a notification, when a query arrives after it, then that query looks again instead of trusting it', async () => {
    const { state, executor } = fakeReadModels();
    const consistency = createProjectionConsistency({ executor });
    const first = consistency.wait(request());
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first look is in flight
    state.reached = target;
    state.notify?.('orders'); // announces the move while that look may predate it
    await Promise.all([first, consistency.wait(request())]);
    expect(state.looks).toBeGreaterThanOrEqual(2);
    await consistency.close();
  });

  it('given a projection that never gets there, when the wait ends, then StaleReadError says where it stood', async () => {
    const { executor } = fakeReadModels();
    const consistency = createProjectionConsistency({ executor });
    const error = await consistency.wait(request(50)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleReadError);
    expect((error as StaleReadError).reached).toBe(behind);
    await consistency.close();
  });

  it('given read tokens of other services, when waited for, then CONSISTENCY_UNSUPPORTED without a look', async () => {
    const { state, executor } = fakeReadModels();
    const consistency = createProjectionConsistency({ executor });
    const error = await consistency
      .wait({ ...request(), tokens: ['payments@payment-p-1:2'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuetError);
    expect((error as DuetError).code).toBe('CONSISTENCY_UNSUPPORTED');
    expect((error as Error).message).toContain('only knows');
    expect(state.looks).toBe(0);
    await consistency.close();
  });

  // Issue 13, S11: requests generated from the OpenAPI document sent junk tokens
  // ('nonsense', 'orders@') and got a 501, as if the server lacked a feature.
  it('given a malformed read token, when waited for, then ValidationError naming it without a look', async () => {
    const { state, executor } = fakeReadModels();
    const consistency = createProjectionConsistency({ executor });
    for (const token of ['nonsense', 'orders@', 'orders@a:b:c', '@order-1:1']) {
      const error = await consistency
        .wait({ ...request(), tokens: ['payments@payment-p-1:2', token] })
        .catch((e: unknown) => e);
      expect(error, token).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toContain('read token');
    }
    expect(state.looks).toBe(0);
    await consistency.close();
  });
});
