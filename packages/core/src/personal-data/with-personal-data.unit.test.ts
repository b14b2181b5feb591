import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GiftSent, joined, MemberJoined, PointsEarned } from '../../test-support/personal-data.ts';
import { PersonalDataForgottenError } from '../errors/personal-data-forgotten-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { START_POSITION } from '../event-store/position.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import { forgottenFieldsOf } from './check-event-data.ts';
import { createInMemoryPersonalDataKeys } from './in-memory-personal-data-keys.ts';
import { isSealedField, openField } from './personal-data-envelope.ts';
import { FORGOTTEN } from './personal-fields.ts';
import { withPersonalData } from './with-personal-data.ts';

const canary = () => `canary${randomBytes(8).toString('hex')}`;

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of source) all.push(item);
  return all;
}

function setUp() {
  // #region in-memory-setup
  const events = createEventRegistry([MemberJoined, PointsEarned, GiftSent]);
  const raw = createInMemoryEventStore({ events });
  const keys = createInMemoryPersonalDataKeys();
  const store = withPersonalData(raw, { keys, events });
  // #endregion in-memory-setup
  return { events, raw, keys, store };
}

describe('withPersonalData', () => {
  it('given personal fields, when appended, then the store holds no plain text and reads open them', async () => {
    const { raw, store } = setUp();
    const marker = canary();
    await store.append('member-1', [
      joined('1', marker),
      PointsEarned.create({ memberId: '1', points: 3 }),
    ]);
    const stored = await collect(raw.readStream('member-1'));
    expect(JSON.stringify(stored)).not.toContain(marker);
    expect(isSealedField((stored[0]!.data as Record<string, unknown>).email)).toBe(true);
    expect((stored[0]!.data as Record<string, unknown>).memberId).toBe('1');
    const read = await collect(store.readStream('member-1'));
    expect(read.map((event) => event.data)).toEqual([
      joined('1', marker).data,
      { memberId: '1', points: 3 },
    ]);
    expect(forgottenFieldsOf(read[0]!.metadata)).toEqual([]);
  });

  it('when a subject is forgotten, then its fields read as forgotten everywhere and a co-subject stays readable', async () => {
    const { keys, store } = setUp();
    const [gone, stays] = [canary(), canary()];
    await store.append('member-1', [joined('1', gone)]);
    await store.append('member-2', [joined('2', stays)]);
    await keys.forget('member-1');
    const all = await collect(store.readAll());
    expect(JSON.stringify(all)).not.toContain(gone);
    expect(all[0]!.data).toEqual({
      memberId: '1',
      name: FORGOTTEN,
      email: FORGOTTEN,
      address: { line1: '[forgotten]', city: '[forgotten]' },
    });
    expect(forgottenFieldsOf(all[0]!.metadata)).toEqual(['name', 'email', 'address']);
    expect(all[1]!.data).toEqual(joined('2', stays).data);
    const page = await store.readCommittedPage(START_POSITION, { limit: 10, types: null });
    expect(page.events.map((event) => (event.data as { email: string }).email)).toEqual([
      FORGOTTEN,
      `${stays}@example.com`,
    ]);
  });

  it('given a forgotten subject, when personal data is appended for it, then PersonalDataForgottenError and nothing is stored', async () => {
    const { keys, store } = setUp();
    await keys.forget('member-9');
    await expect(store.append('member-9', [joined('9', canary())])).rejects.toBeInstanceOf(
      PersonalDataForgottenError,
    );
    expect(await store.streamInfo('member-9')).toBeNull();
  });

  it('given bad plain data, when appended, then ValidationError names the field, as without encryption', async () => {
    const { store } = setUp();
    const bad = { ...joined('1', canary()).data, email: 'not an email' };
    const error = await store
      .append('member-1', [{ type: 'MemberJoined', data: bad }])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([['email']]);
  });

  it('given a sealed field moved to another field or event, then it does not open', async () => {
    const { raw, keys, store } = setUp();
    await store.append('member-1', [joined('1', canary())]);
    const [event] = (await collect(raw.readStream('member-1'))) as RecordedEvent[];
    const data = event!.data as Record<string, unknown>;
    const key = (await keys.findKeys(['member-1'])).get('member-1')!;
    const sealed = data.email as Parameters<typeof openField>[1];
    expect(openField(key, sealed, { id: event!.id, field: 'email' })).toMatch(/@example.com$/);
    expect(() => openField(key, sealed, { id: event!.id, field: 'name' })).toThrow();
    expect(() => openField(key, sealed, { id: crypto.randomUUID(), field: 'email' })).toThrow();
  });

  it('given the registry, then sealed and forgotten personal fields pass its check and other fields do not', async () => {
    const { events, raw, store, keys } = setUp();
    await store.append('member-1', [joined('1', canary())]);
    const [sealed] = await collect(raw.readStream('member-1'));
    await expect(events.check('MemberJoined', sealed!.data)).resolves.toMatchObject({
      schemaVersion: 1,
    });
    await expect(
      events.check('MemberJoined', { ...(sealed!.data as object), memberId: 7 }),
    ).rejects.toBeInstanceOf(ValidationError);
    await keys.forget('member-1');
    const [read] = await collect(store.readStream('member-1'));
    const forgottenOnly = { ...(read!.data as object), email: FORGOTTEN };
    await expect(events.check('MemberJoined', forgottenOnly)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      events.check('MemberJoined', forgottenOnly, forgottenFieldsOf(read!.metadata)),
    ).resolves.toMatchObject({ schemaVersion: 1 });
  });

  it('given one event with two subjects, when one is forgotten, then only its field reads as forgotten and the other stays readable', async () => {
    const { raw, keys, store } = setUp();
    const [sender, recipient] = [canary(), canary()];
    const gift = GiftSent.create({ fromId: '1', fromName: sender, toId: '2', toName: recipient });
    await store.append('gift-1', [gift]);
    const [stored] = await collect(raw.readStream('gift-1'));
    const sealed = stored!.data as Record<string, { $personal: { subject: string } }>;
    expect([sealed.fromName!.$personal.subject, sealed.toName!.$personal.subject]).toEqual([
      'member-1',
      'member-2',
    ]);
    await keys.forget('member-1');
    const [read] = await collect(store.readStream('gift-1'));
    expect(read?.data).toEqual({ fromId: '1', fromName: FORGOTTEN, toId: '2', toName: recipient });
    expect(JSON.stringify(read)).not.toContain(sender);
    expect(forgottenFieldsOf(read!.metadata)).toEqual(['fromName']);
  });

  it('given a subject function for a field that is not personal, then defining the event is a TypeError', () => {
    expect(() =>
      defineEvent('Odd', z.object({ a: z.string(), b: z.string() }), {
        personal: { subject: () => 's', fields: ['a'], subjects: { b: () => 't' } },
      }),
    ).toThrow(TypeError);
  });

  it('given an append retried with the same event ids, then it is the same append (sealing is deterministic per event and field), not a duplicate', async () => {
    const { raw, store } = setUp();
    const event = { ...joined('1', canary()), id: crypto.randomUUID() };
    const first = await store.append('member-1', [event], { expectedVersion: 'no_stream' });
    const again = await store.append('member-1', [event], { expectedVersion: 'no_stream' });
    expect(again).toEqual(first);
    expect((await collect(raw.readStream('member-1'))).length).toBe(1);
    const other = { ...event, data: { ...event.data, name: 'Someone else' } };
    await expect(store.append('member-1', [other])).rejects.toThrow(/already|duplicate/i);
  });
});
