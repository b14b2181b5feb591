import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Decider } from '../decider/decider.ts';
import { InvalidEventError } from '../errors/invalid-event-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { defineCommand } from '../messages/define-command.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import type { Message } from '../messages/message.ts';
import { createCommandBus } from './create-command-bus.ts';
import { defineCommandHandler } from './define-command-handler.ts';

const Note = defineCommand('Note', z.strictObject({ id: z.string(), text: z.string() }));
const Noted = defineEvent('Noted', z.object({ id: z.string(), text: z.string().min(1) }));
type Produced = Message<'Noted' | 'Unheard', { id: string; text: string }>;

// A buggy decider: it forwards empty text, which the event's schema refuses, and for
// text 'other' it produces a type nothing defines.
const notes: Decider<ReturnType<typeof Note.create>, null, Produced> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => ({
    type: command.data.text === 'other' ? 'Unheard' : 'Noted',
    data: command.data,
  }),
};

describe('events a decider gets wrong', () => {
  const events = createEventRegistry([Noted]);
  const store = createInMemoryEventStore({ events });
  const bus = createCommandBus({
    store,
    events,
    handlers: [
      defineCommandHandler({
        decider: notes,
        commands: [Note],
        stream: (c) => `note-${c.data.id}`,
      }),
    ],
  });

  it('given a decider producing invalid event data, when the command is sent, then InvalidEventError (a server fault), not ValidationError', async () => {
    const error = await bus.send(Note.create({ id: 'n1', text: '' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as InvalidEventError).cause).toBeInstanceOf(ValidationError);
    expect(await store.streamInfo('note-n1')).toBeNull();
  });

  it('given a decider producing an undefined event type, when the command is sent, then InvalidEventError', async () => {
    await expect(bus.send(Note.create({ id: 'n2', text: 'other' }))).rejects.toBeInstanceOf(
      InvalidEventError,
    );
  });

  it('given invalid command data, when it is sent, then it is still a ValidationError', async () => {
    await expect(bus.send({ type: 'Note', data: { id: 'n3' } })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
