import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Decider, DecisionContext } from '../decider/decider.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { defineCommand } from '../messages/define-command.ts';
import type { Message } from '../messages/message.ts';
import { createCommandBus } from './create-command-bus.ts';
import { defineCommandHandler } from './define-command-handler.ts';

const Claim = defineCommand('Claim', z.strictObject({ id: z.string() }));
type Claimed = Message<'Claimed', { id: string; owner: string }>;

const seen: DecisionContext[] = [];
const claims: Decider<ReturnType<typeof Claim.create>, { owner: string | null }, Claimed> = {
  initialState: () => ({ owner: null }),
  evolve: (_, event) => ({ owner: event.data.owner }),
  decide: (command, state, context) => {
    seen.push(context);
    if (state.owner !== null && state.owner !== context.actor) {
      throw new NotFoundError('claim', command.data.id);
    }
    return { type: 'Claimed', data: { id: command.data.id, owner: context.actor ?? 'anonymous' } };
  },
};

describe('the decision context', () => {
  const bus = createCommandBus({
    store: createInMemoryEventStore(),
    handlers: [
      defineCommandHandler({
        decider: claims,
        commands: [Claim],
        stream: (c) => `claim-${c.data.id}`,
      }),
    ],
  });

  it('given a context with an actor, when a command is sent, then decide sees who asks', async () => {
    const result = await bus.send(Claim.create({ id: 'c1' }), {
      actor: 'ada',
      tenant: 't1',
      roles: ['customer'],
    });
    expect(seen.at(-1)).toEqual({ actor: 'ada', tenant: 't1', roles: ['customer'] });
    expect(result.events[0]?.data).toEqual({ id: 'c1', owner: 'ada' });
  });

  it('given no context, when a command is sent, then decide gets no actor and no roles', async () => {
    await bus.send(Claim.create({ id: 'c2' }));
    expect(seen.at(-1)).toEqual({ roles: [] });
  });

  it("given someone else's stream, when another actor sends, then the decider's NotFoundError passes through", async () => {
    await expect(bus.send(Claim.create({ id: 'c1' }), { actor: 'bob' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
