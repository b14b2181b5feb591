/** What an inbox records of a message: its id and its place in its stream. */
export interface InboxEntry {
  readonly messageId: string;
  readonly stream: string;
  readonly streamVersion: number;
  /** The stream's previous message's version (0 for its first). */
  readonly previousVersion: number;
}

/**
 * - `handled`: the handler ran and its effects committed with the inbox row;
 * - `duplicate`: the id was handled before; nothing ran;
 * - `early`: an earlier message of its stream is not handled yet; nothing ran.
 */
export type InboxOutcome = 'handled' | 'duplicate' | 'early';

/**
 * A consumer's record of the messages it handled, in the database its effects go to:
 * the handler's effects and the record commit in one transaction, so a redelivered
 * message changes nothing (effectively once), and a stream's messages take effect in
 * stream order whatever order the broker delivers them in.
 *
 * Adapters: `createInMemoryInbox` here, `createPostgresInbox` in @duet/postgres.
 *
 * @example
 * const outcomes = await inbox.run('order_history', entries, async (entry, i, tx) => {
 *   await tx.query('INSERT INTO history ...', [entries[i].messageId]);
 * });
 */
export interface Inbox<Tx = unknown> {
  /**
   * In ONE transaction and in order: skips entries recorded before, leaves entries whose
   * predecessor in their stream is not recorded yet (unless `ignoreOrder`), runs `handle`
   * for the rest and records them. A throwing `handle` rolls the whole call back.
   */
  run(
    consumer: string,
    entries: readonly InboxEntry[],
    handle: (entry: InboxEntry, index: number, tx: Tx) => Promise<void>,
    options?: { readonly ignoreOrder?: boolean },
  ): Promise<InboxOutcome[]>;
  /**
   * Records that a stream moved past an entry that was not handled (it was
   * dead-lettered), so its later messages are not held back. The id stays unrecorded:
   * replaying the dead letter runs it.
   */
  pass(consumer: string, entry: InboxEntry): Promise<void>;
  /** Whether an id was handled. */
  handled(consumer: string, messageId: string): Promise<boolean>;
}
