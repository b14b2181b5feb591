import type { DeadLetteredMessage, Transport } from './transport.ts';

/** Which dead letters `republishDeadLetters` sends again: one by id, or all of a consumer. */
export type DeadLetterSelection = { readonly id: string } | { readonly consumer: string };

/**
 * Sends dead letters again on their original subjects, each under a new broker id
 * (`<event id>:replay:<dead letter id>`, header `Duet-Replay-Of`), and removes each once
 * the broker has it. Consumers key their inbox on the event id, so the one that gave up
 * on it handles it now and the ones that handled it before see a duplicate. For a replay
 * from outside the consumer's process (`duet dead-letters retry --nats`); inside it,
 * `consumer.replay()` runs the handler directly. Resolves to what was sent.
 *
 * @example
 * await republishDeadLetters(transport, { consumer: 'order_history' });
 */
export async function republishDeadLetters(
  transport: Transport,
  selection: DeadLetterSelection,
): Promise<DeadLetteredMessage[]> {
  const letters = await transport.deadLetters(
    'consumer' in selection ? selection.consumer : undefined,
  );
  const chosen = letters.filter((letter) => !('id' in selection) || letter.id === selection.id);
  for (const letter of chosen) {
    const { message } = letter;
    await transport.publish([
      {
        ...message,
        id: `${message.id}:replay:${letter.id}`,
        headers: { ...message.headers, 'Duet-Replay-Of': message.id },
      },
    ]);
    await transport.removeDeadLetter(letter.id);
  }
  return chosen;
}
