import type { Position } from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { createCommitNotifier } from './commit-notifier.ts';

const at = (seq: number): Position => makePosition(7n, BigInt(seq));

/** An executor whose statements wait until the test releases them, one by one. */
function heldExecutor(fail = false) {
  const sent: { sql: string; params: readonly unknown[] }[] = [];
  const releases: (() => void)[] = [];
  const executor = {
    query: (sql: string, params: readonly unknown[] = []) => {
      sent.push({ sql, params });
      return new Promise((resolve, reject) => {
        releases.push(() => (fail ? reject(new Error('connection lost')) : resolve({ rows: [] })));
      });
    },
  } as unknown as SqlExecutor;
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
  };
  return { executor, sent, releaseNext };
}

describe('commit notifier', () => {
  it('given a NOTIFY in flight, when three more commits land, then one more NOTIFY follows, carrying the highest of them', async () => {
    const db = heldExecutor();
    const notifier = createCommitNotifier(db.executor, 'duet_events');
    notifier.committed(at(1));
    notifier.committed(at(4));
    notifier.committed(at(2));
    notifier.committed(at(3));
    await db.releaseNext();
    await db.releaseNext();
    await notifier.flush();
    expect(db.sent.map((statement) => statement.params)).toEqual([
      ['duet_events', at(1)],
      ['duet_events', at(4)],
    ]);
  });

  it('given a NOTIFY, then it commits without waiting for its flush (it carries no data)', async () => {
    const db = heldExecutor();
    const notifier = createCommitNotifier(db.executor, 'duet_events');
    notifier.committed(at(1));
    await db.releaseNext();
    await notifier.flush();
    expect(db.sent[0]?.sql).toContain(`set_config('synchronous_commit', 'off', true)`);
    expect(db.sent[0]?.sql).toContain('pg_notify($1, $2)');
  });

  it('given NOTIFYs that fail, then the failure stays with the notifier and later commits still notify', async () => {
    const db = heldExecutor(true);
    const notifier = createCommitNotifier(db.executor, 'duet_events');
    notifier.committed(at(1));
    await db.releaseNext();
    await notifier.flush();
    notifier.committed(at(2));
    await db.releaseNext();
    await notifier.flush();
    expect(db.sent.map((statement) => statement.params[1])).toEqual([at(1), at(2)]);
  });
});
