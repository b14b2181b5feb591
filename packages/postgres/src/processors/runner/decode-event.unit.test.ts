import {
  createEventRegistry,
  createInMemoryEventStore,
  createInMemoryPersonalDataKeys,
  defineEvent,
  defineProjection,
  FORGOTTEN,
  type RecordedEvent,
  START_POSITION,
  withPersonalData,
} from '@duet/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventDecoder, UndecodableEventError } from './decode-event.ts';

// Issue 13, section 3: a forgotten subject's fields hold replacements the schema may reject
// ('[forgotten]' is no email); the runner's decoder must not turn such events into dead letters.

const MemberJoined = defineEvent(
  'MemberJoined',
  z.object({ memberId: z.string(), email: z.email(), age: z.number().int() }),
  { personal: { subject: (data) => `member-${data.memberId}`, fields: ['email'] } },
);
const events = createEventRegistry([MemberJoined]);
const projection = defineProjection({
  name: 'members',
  events: [MemberJoined],
  apply: async () => {},
});

async function forgottenEvent(): Promise<RecordedEvent> {
  const keys = createInMemoryPersonalDataKeys();
  const store = withPersonalData(createInMemoryEventStore({ events }), { keys, events });
  await store.append('member-1', [
    MemberJoined.create({ memberId: '1', email: 'ada@example.com', age: 3 }),
  ]);
  await keys.forget('member-1');
  const page = await store.readCommittedPage(START_POSITION, { limit: 10, types: null });
  return page.events[0]!;
}

describe('createEventDecoder and personal data', () => {
  it.each([
    ['its own definitions', () => createEventDecoder(projection, undefined)],
    [
      'the store registry',
      () =>
        createEventDecoder(
          defineProjection({ name: 'all', events: 'all', apply: async () => {} }),
          events,
        ),
    ],
  ])(
    'given a forgotten email, when decoded with %s, then it passes with the replacement',
    async (_, decoder) => {
      const event = await forgottenEvent();
      expect(event.data).toMatchObject({ email: FORGOTTEN });
      await expect(decoder()(event)).resolves.toMatchObject({ data: { email: FORGOTTEN, age: 3 } });
    },
  );

  it('given a forgotten email and another field broken, then the other field still makes it undecodable', async () => {
    const event = await forgottenEvent();
    const broken = { ...event, data: { ...(event.data as object), age: 'old' } };
    await expect(createEventDecoder(projection, undefined)(broken)).rejects.toBeInstanceOf(
      UndecodableEventError,
    );
  });

  it('given the replacement without the forgotten mark, then the schema refuses it as before', async () => {
    const event = await forgottenEvent();
    const unmarked = { ...event, metadata: { timestamp: event.metadata.timestamp } };
    await expect(createEventDecoder(projection, undefined)(unmarked)).rejects.toBeInstanceOf(
      UndecodableEventError,
    );
  });
});
