import { randomBytes } from 'node:crypto';
import {
  createEventRegistry,
  defineEvent,
  defineProjection,
  FORGOTTEN,
  isSealedField,
  PersonalDataForgotten,
  PersonalDataForgottenError,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { migrate } from '../migrations/migrate.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { openProcessors } from '../processors/open-processors.ts';
import { openTestDatabase } from '../testing/index.ts';
import { forgetPersonalData } from './forget-personal-data.ts';
import { createPostgresPersonalDataKeys } from './postgres-personal-data-keys.ts';

// Issue 13, section 3: personal fields sealed in the events table, forgotten by deleting the key.

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

const MemberJoined = defineEvent(
  'MemberJoined',
  z.object({ memberId: z.string(), name: z.string(), email: z.string() }),
  { personal: { subject: (data) => `member-${data.memberId}`, fields: ['name', 'email'] } },
);
const events = createEventRegistry([MemberJoined, PersonalDataForgotten]);
const canary = () => `canary${randomBytes(8).toString('hex')}`;
const joined = (memberId: string, marker: string) =>
  MemberJoined.create({ memberId, name: `N ${marker}`, email: `${marker}@example.com` });

async function setUp(backend: (typeof backends)[number]) {
  const db = await openTestDatabase(backend);
  const keysSchema = `${db.schema}_keys`;
  // #region postgres-setup
  await migrate(db.executor, { schema: keysSchema, set: 'personal-data' });
  const keys = createPostgresPersonalDataKeys({ executor: db.executor, schema: keysSchema });
  const store = createPostgresEventStore({
    executor: db.executor,
    schema: db.schema,
    events, // createEventRegistry([MemberJoined, PersonalDataForgotten])
    personalData: { keys },
  });
  // #endregion postgres-setup
  const dispose = async () => {
    await store.close();
    await db.executor.query(`DROP SCHEMA IF EXISTS "${keysSchema}" CASCADE`);
    await db.dispose();
  };
  // Every byte of the events table, as text.
  const eventsTableText = async () => {
    const { rows } = await db.executor.query<{ dump: string | null }>(
      `SELECT string_agg(e::text, E'\\n') AS dump FROM "${db.schema}".events AS e`,
    );
    return rows[0]?.dump ?? '';
  };
  return { db, keys, store, eventsTableText, [Symbol.asyncDispose]: dispose };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of source) all.push(item);
  return all;
}

describe.each(backends)('personal data on $kind', (backend) => {
  it('given personal fields appended directly and in a transaction, then the events table holds no plain text and reads open them', async () => {
    await using t = await setUp(backend);
    const [a, b] = [canary(), canary()];
    await t.store.append('member-1', [joined('1', a)]);
    await t.store.transaction(async (tx) => {
      await tx.append('member-2', [joined('2', b)]);
      const [inTx] = await collect(tx.readStream('member-2'));
      expect(inTx?.data).toEqual(joined('2', b).data);
    });
    const text = await t.eventsTableText();
    expect(text).not.toContain(a);
    expect(text).not.toContain(b);
    expect(text).toContain('$personal');
    const all = await collect(t.store.readAll());
    expect(all.map((event) => event.data)).toEqual([joined('1', a).data, joined('2', b).data]);
  });

  it('when a subject is forgotten, then the key goes, the erasure is recorded once in the same transaction, and only its fields read as forgotten', async () => {
    await using t = await setUp(backend);
    const [gone, stays] = [canary(), canary()];
    await t.store.append('member-1', [joined('1', gone)]);
    await t.store.append('member-2', [joined('2', stays)]);
    // #region forget
    const first = await forgetPersonalData({ ...t, subject: 'member-1', by: 'staff:ada' });
    // #endregion forget
    expect(first).toMatchObject({
      subject: 'member-1',
      deleted: true,
      stream: 'personal_data-member-1',
    });
    expect(first.position).not.toBeNull();
    const again = await forgetPersonalData({ ...t, subject: 'member-1', by: 'staff:ada' });
    expect(again).toMatchObject({ deleted: false, position: null, forgottenAt: first.forgottenAt });
    const erasures = await collect(t.store.readStream('personal_data-member-1'));
    expect(erasures.map((event) => event.data)).toEqual([
      { subject: 'member-1', forgottenAt: first.forgottenAt, by: 'staff:ada' },
    ]);
    const read = await collect(t.store.readAll({ types: ['MemberJoined'] }));
    expect(read.map((event) => event.data)).toEqual([
      { memberId: '1', name: FORGOTTEN, email: FORGOTTEN },
      joined('2', stays).data,
    ]);
    expect(read[0]?.metadata.forgottenPersonalData).toEqual(['name', 'email']);
    const { rows } = await t.db.executor.query<{ key: unknown; forgotten_at: unknown }>(
      `SELECT key, forgotten_at FROM "${t.keys.schema}".personal_data_keys WHERE subject = 'member-1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key).toBeNull();
    expect(rows[0]?.forgotten_at).not.toBeNull();
    await expect(t.store.append('member-1', [joined('1', canary())])).rejects.toBeInstanceOf(
      PersonalDataForgottenError,
    );
    expect((await t.store.streamInfo('member-1'))?.version).toBe(1);
  });

  it('given an append retried with the same event id, then the store answers the first result (no duplicate), sealing being deterministic', async () => {
    await using t = await setUp(backend);
    const event = { ...joined('1', canary()), id: crypto.randomUUID() };
    const first = await t.store.append('member-1', [event], { expectedVersion: 'no_stream' });
    expect(await t.store.append('member-1', [event], { expectedVersion: 'no_stream' })).toEqual(
      first,
    );
    expect((await t.store.streamInfo('member-1'))?.version).toBe(1);
  });

  it('given an unmigrated key schema, then NotMigratedError says which set to migrate', async () => {
    await using db = await openTestDatabase(backend);
    const keys = createPostgresPersonalDataKeys({
      executor: db.executor,
      schema: `${db.schema}_nokeys`,
    });
    const error = await keys.keyFor('member-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotMigratedError);
    expect((error as Error).message).toContain("set: 'personal-data'");
  });

  it('given a projection that dead-letters a personal event, then the dead letter keeps the fields sealed, and a retry after the forget applies them as forgotten', async () => {
    await using t = await setUp(backend);
    const marker = canary();
    const applied: unknown[] = [];
    let poisoned = true;
    const members = defineProjection({
      name: 'members',
      events: [MemberJoined],
      onFailure: 'skip',
      apply: async (_tx, batch) => {
        if (poisoned) throw new Error('members are down');
        applied.push(...batch.map((event) => event.data));
      },
    });
    const processorsSchema = `${t.db.schema}_p`;
    await migrate(t.db.executor, { schema: processorsSchema, set: 'processors' });
    await using processors = openProcessors({
      store: t.store,
      schema: processorsSchema,
      readModelSchema: `${t.db.schema}_r`,
      processors: [members],
      personalData: { keys: t.keys },
    });
    try {
      await t.store.append('member-1', [joined('1', marker)]);
      await processors.start();
      await expect
        .poll(async () => (await processors.deadLetters.list('members')).length, {
          timeout: 20_000,
        })
        .toBe(1);
      const [letter] = await processors.deadLetters.list('members');
      const letterData = letter?.event.data as { name: unknown } | undefined;
      expect(isSealedField(letterData?.name)).toBe(true);
      const { rows } = await t.db.executor.query<{ dump: string }>(
        `SELECT string_agg(d::text, '') AS dump FROM "${processorsSchema}".dead_letters AS d`,
      );
      expect(rows[0]?.dump).not.toContain(marker);
      await forgetPersonalData({ ...t, subject: 'member-1', by: 'staff:ada' });
      poisoned = false;
      expect(await processors.deadLetters.retry('members')).toBe(1);
      expect(applied).toEqual([{ memberId: '1', name: FORGOTTEN, email: FORGOTTEN }]);
    } finally {
      await processors.close();
      for (const schema of [processorsSchema, `${t.db.schema}_r`]) {
        await t.db.executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }
  });
});
