import { toStreamName } from '@duet/core';
import { describe, expect, it } from 'vitest';
import type { AppendOutcome } from './append-batch.ts';
import { createGroupCommit } from './group-commit.ts';
import type { PreparedAppend } from './prepare-append.ts';

const append = (n: number): PreparedAppend => ({
  stream: `s-${n}`,
  expected: 'any',
  json: '{}',
  count: 1,
  ids: [`id-${n}`],
});

const stored = (appends: readonly PreparedAppend[]): AppendOutcome[] =>
  appends.map((a) => ({
    ok: true,
    result: {
      stream: toStreamName(a.stream),
      streamVersion: 1,
      position: 'p' as never,
      positions: [],
      ids: a.ids,
    },
  }));

describe('group commit', () => {
  it('given two slots, when 64 appends arrive together, then two batches of 32 run at once (the second slot does not sit idle)', async () => {
    const batches: number[] = [];
    let running = 0;
    let mostRunning = 0;
    const groupCommit = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 2,
      async run(appends) {
        batches.push(appends.length);
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return stored(appends);
      },
    });
    await Promise.all(Array.from({ length: 64 }, (_, n) => groupCommit.submit(append(n))));
    await groupCommit.close();
    expect(batches).toEqual([32, 32]);
    expect(mostRunning).toBe(2);
  });

  it('given one slot, when appends arrive together, then they form one batch', async () => {
    const batches: number[] = [];
    const groupCommit = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 1,
      run: async (appends) => {
        batches.push(appends.length);
        return stored(appends);
      },
    });
    await Promise.all(Array.from({ length: 5 }, (_, n) => groupCommit.submit(append(n))));
    expect(batches).toEqual([5]);
  });

  function heldFirstBatch() {
    const batches: number[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const groupCommit = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 2,
      async run(appends) {
        batches.push(appends.length);
        if (batches.length === 1) await held;
        return stored(appends);
      },
    });
    return { batches, groupCommit, release };
  }

  it('given a busy slot, when many appends queue meanwhile, then the free slot takes them all', async () => {
    const { batches, groupCommit, release } = heldFirstBatch();
    const first = groupCommit.submit(append(0));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 20 }, (_, n) => groupCommit.submit(append(n + 1)));
    await Promise.all(rest);
    release();
    await first;
    expect(batches).toEqual([1, 20]);
  });

  it('given a busy slot, when only a few appends queue meanwhile, then they wait and go together after it', async () => {
    const { batches, groupCommit, release } = heldFirstBatch();
    const first = groupCommit.submit(append(0));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 10 }, (_, n) => groupCommit.submit(append(n + 1)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([1]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([1, 10]);
  });

  it('given a batch PostgreSQL aborts as a deadlock victim, when run, then each append is run again alone and stored; after three deadlocks in a row the error is passed on', async () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let calls = 0;
    const flaky = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 1,
      run: async (appends) => {
        calls += 1;
        if (calls <= 2) throw deadlock; // the batch, then the first append's first try alone
        return stored(appends);
      },
    });
    const results = await Promise.all([flaky.submit(append(1)), flaky.submit(append(2))]);
    expect(results.map((result) => result.stream)).toEqual(['s-1', 's-2']);
    expect(calls).toBe(4);
    await flaky.close();

    const always = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 1,
      run: async () => {
        calls += 1;
        throw deadlock;
      },
    });
    calls = 0;
    await expect(always.submit(append(3))).rejects.toBe(deadlock);
    expect(calls).toBe(3);
    await always.close();
  });

  it('given a unique violation on the events primary key that a second try still hits (an id another tenant stored), then a DuplicateEventError naming the append’s ids', async () => {
    const violation = Object.assign(new Error('duplicate key'), {
      code: '23505',
      constraint: 'events_pkey',
    });
    const groupCommit = createGroupCommit({
      enabled: true,
      maxBatchSize: 256,
      maxConcurrentBatches: 1,
      run: async () => {
        throw violation;
      },
    });
    const withIds = { ...append(1), ids: ['e-1', 'e-2'] };
    await expect(groupCommit.submit(withIds)).rejects.toMatchObject({
      name: 'DuplicateEventError',
      eventId: 'e-1 or e-2',
      stream: 's-1',
    });
    await groupCommit.close();
  });
});
