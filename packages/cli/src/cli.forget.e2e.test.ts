import { randomBytes } from 'node:crypto';
import { createEventRegistry, defineEvent, FORGOTTEN, PersonalDataForgotten } from '@duet/core';
import { createPostgresEventStore, createPostgresPersonalDataKeys } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { runDuet } from '../test-support/run-duet.ts';
import { ExitCode } from './exit-code.ts';

// Issue 13, section 3: `duet forget <subject>` on PostgreSQL, the real binary.

const databaseUrl = inject('databaseUrl');

const MemberJoined = defineEvent(
  'MemberJoined',
  z.object({ memberId: z.string(), name: z.string() }),
  { personal: { subject: (data) => `member-${data.memberId}`, fields: ['name'] } },
);
const events = createEventRegistry([MemberJoined, PersonalDataForgotten]);

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of source) all.push(item);
  return all;
}

describe.skipIf(databaseUrl === null)('duet forget on PostgreSQL', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  let args: string[];
  const keysSchema = () => `${db.schema}_keys`;

  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'postgres', url: databaseUrl!, migrate: false });
    args = ['--database-url', databaseUrl!, '--schema', db.schema];
  });
  afterAll(async () => {
    await db?.executor.query(`DROP SCHEMA IF EXISTS "${keysSchema()}" CASCADE`);
    await db?.dispose();
  });

  it('given no key table, when a subject is forgotten, then it exits 5 and names the migration to run', async () => {
    expect((await runDuet(['migrate', ...args])).code).toBe(0);
    const result = await runDuet(['forget', 'member-1', ...args]);
    expect(result.code).toBe(ExitCode.notMigrated);
    expect(result.stderr).toContain(`--personal-data-schema ${keysSchema()}`);
  });

  it('given a sealed subject, when forgotten twice, then the first deletes the key and records the erasure, the second changes nothing; both exit 0', async () => {
    const migrated = await runDuet([
      'migrate',
      ...args,
      '--personal-data-schema',
      keysSchema(),
      '--json',
    ]);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({
      personalData: {
        schema: keysSchema(),
        applied: ['001-personal-data-keys', '002-tenant-keys'],
      },
    });
    const keys = createPostgresPersonalDataKeys({ executor: db.executor, schema: keysSchema() });
    const store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      events,
      personalData: { keys },
    });
    const marker = `canary${randomBytes(6).toString('hex')}`;
    await store.append('member-1', [MemberJoined.create({ memberId: '1', name: marker })]);

    const first = await runDuet(['forget', 'member-1', '--by', 'alice', '--json', ...args]);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({
      subject: 'member-1',
      deleted: true,
      stream: 'personal_data-member-1',
      position: expect.any(String),
    });
    const [event] = await collect(store.readStream('member-1'));
    expect(event?.data).toEqual({ memberId: '1', name: FORGOTTEN });
    const [erasure] = await collect(store.readStream('personal_data-member-1'));
    expect(erasure?.data).toEqual({
      subject: 'member-1',
      forgottenAt: result.forgottenAt,
      by: 'alice',
    });

    const again = await runDuet(['forget', 'member-1', ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('member-1 was already forgotten at');
    await store.close();
  });

  it('given an empty subject, then it exits 2 (usage)', async () => {
    const result = await runDuet(['forget', '', '--keys-schema', keysSchema(), ...args]);
    expect(result.code).toBe(ExitCode.usage);
  });
});
