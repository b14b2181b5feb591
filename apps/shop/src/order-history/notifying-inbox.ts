import type { Inbox } from '@duet/core';

/**
 * An inbox that calls `committed` after each transaction that recorded something: the
 * read-your-writes waiters of this process look again at once instead of at their next
 * poll. (`run` resolves after the commit, so a waiter that looks then sees the effects.)
 */
export function notifyingInbox<Tx>(inbox: Inbox<Tx>, committed: () => void): Inbox<Tx> {
  return {
    async run(consumer, entries, handle, options) {
      const outcomes = await inbox.run(consumer, entries, handle, options);
      if (outcomes.some((outcome) => outcome === 'handled')) committed();
      return outcomes;
    },
    async pass(consumer, entry) {
      await inbox.pass(consumer, entry);
      committed();
    },
    handled: (consumer, messageId) => inbox.handled(consumer, messageId),
  };
}
