import { describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL read horizon tests: not reachable');

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.runIf(databaseUrl !== null)('read horizon on postgres', () => {
  it('given an appending transaction held open, when a later append commits, then readers stop before both until it commits, and oldestRunningTransaction names its pid', async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const appended = gate();
    const release = gate();
    let holderPid = 0;
    const holder = store.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      holderPid = rows[0]!.pid;
      await tx.append('slow-1', [{ type: 'X', data: 'early id, late commit' }]);
      appended.open();
      await release.opened;
    });
    await appended.opened;
    await store.append('fast-1', [{ type: 'X', data: 'late id, early commit' }]);
    expect(await collect(store.readAll())).toEqual([]);
    const oldest = await store.oldestRunningTransaction();
    expect(oldest?.pid).toBe(holderPid);
    expect(oldest?.state).toBe('idle in transaction');
    expect(oldest?.ageMs).toBeGreaterThanOrEqual(0);
    release.open();
    await holder;
    const read = await collect(store.readAll());
    expect(read.map((e) => e.stream)).toEqual(['slow-1', 'fast-1']);
    expect(await store.oldestRunningTransaction()).toBeNull();
    expect(await store.headPosition()).toBe(read[1]!.position);
  });

  it('given an unrelated transaction held open, when events commit, then readers are not held back by it', async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await db.executor.query(`CREATE TABLE "${db.schema}".other (id integer)`);
    const written = gate();
    const release = gate();
    const unrelated = db.executor.transaction(async (tx) => {
      await tx.query(`INSERT INTO "${db.schema}".other VALUES (1)`);
      written.open();
      await release.opened;
    });
    await written.opened;
    await store.append('free-1', [{ type: 'X', data: 1 }]);
    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual(['free-1']);
    expect(await store.oldestRunningTransaction()).toBeNull();
    release.open();
    await unrelated;
  });

  it('given a rolled-back appending transaction, when reading, then its events never appear and later ones do', async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const appended = gate();
    const release = gate();
    const doomed = store
      .transaction(async (tx) => {
        await tx.append('doomed-1', [{ type: 'X', data: 1 }]);
        appended.open();
        await release.opened;
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await appended.opened;
    await store.append('kept-1', [{ type: 'X', data: 2 }]);
    expect(await collect(store.readAll())).toEqual([]);
    release.open();
    expect(await doomed).toBe('rolled back');
    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual(['kept-1']);
  });
});

describe('read horizon on pglite', () => {
  it('given one connection, when asking what holds readers back, then nothing does', async () => {
    await using db = await openTestDatabase({ kind: 'pglite' });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('a-1', [{ type: 'X', data: 1 }]);
    expect(await store.oldestRunningTransaction()).toBeNull();
    expect(await store.headPosition()).toBe((await collect(store.readAll()))[0]!.position);
  });
});
