import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inbox, InboxEntry } from '../messaging/inbox.ts';

/** How to run the inbox conformance suite against one adapter. */
export interface InboxConformanceOptions<Tx> {
  /** Shown in the test names: `Inbox conformance: <name>`. */
  readonly name: string;
  /** Makes the inbox under test, once for the suite; `dispose` runs at the end. */
  readonly create: () => Promise<{ inbox: Inbox<Tx>; dispose?: () => Promise<void> }>;
}

/**
 * Runs the Inbox contract as vitest tests: each id handled once per consumer, per-stream
 * order (early entries wait), a throwing handler undoes the whole call, `pass` lets a
 * stream move on without recording the id, consumers are independent, and two racing
 * calls with one id handle it once. Each test uses consumers of its own.
 *
 * @example
 * runInboxConformance({ name: 'in-memory', create: async () => ({ inbox: createInMemoryInbox() }) });
 */
export function runInboxConformance<Tx>(options: InboxConformanceOptions<Tx>): void {
  describe(`Inbox conformance: ${options.name}`, () => {
    let current: { inbox: Inbox<Tx>; dispose?: () => Promise<void> } | undefined;
    const inbox = () => {
      if (!current) throw new Error('the inbox is not created yet (create() failed?)');
      return current.inbox;
    };
    beforeAll(async () => {
      current = await options.create();
    });
    afterAll(async () => {
      await current?.dispose?.();
    });

    const consumer = () => `c_${randomBytes(4).toString('hex')}`;
    const stream = `order-${randomBytes(4).toString('hex')}`;
    const entry = (version: number, previousVersion = version - 1, on = stream): InboxEntry => ({
      messageId: `${on}@${version}`,
      stream: on,
      streamVersion: version,
      previousVersion,
    });
    const runAll = async (
      name: string,
      entries: InboxEntry[],
      runOptions?: { ignoreOrder?: boolean },
    ) => {
      const seen: string[] = [];
      const outcomes = await inbox().run(
        name,
        entries,
        async (e) => {
          seen.push(e.messageId);
        },
        runOptions,
      );
      return { outcomes, seen };
    };

    it('handles a new entry once: run again, it is a duplicate and the handler does not run', async () => {
      const c = consumer();
      expect(await runAll(c, [entry(1)])).toEqual({ outcomes: ['handled'], seen: [`${stream}@1`] });
      expect(await runAll(c, [entry(1)])).toEqual({ outcomes: ['duplicate'], seen: [] });
      expect(await inbox().handled(c, `${stream}@1`)).toBe(true);
      expect(await inbox().handled(c, `${stream}@2`)).toBe(false);
    });

    it('given a stream’s earlier message not handled, then a later one is early and waits; in order they all run', async () => {
      const c = consumer();
      expect((await runAll(c, [entry(3), entry(2)])).outcomes).toEqual(['early', 'early']);
      const { outcomes, seen } = await runAll(c, [entry(1), entry(2), entry(3)]);
      expect(outcomes).toEqual(['handled', 'handled', 'handled']);
      expect(seen).toEqual([`${stream}@1`, `${stream}@2`, `${stream}@3`]);
    });

    it('follows gaps the publisher declared: previousVersion, not version - 1', async () => {
      const c = consumer();
      expect((await runAll(c, [entry(2, 0), entry(7, 2), entry(9, 7)])).outcomes).toEqual([
        'handled',
        'handled',
        'handled',
      ]);
    });

    it('given a handler that throws, then nothing of the call is recorded and all of it can run again', async () => {
      const c = consumer();
      await expect(
        inbox().run(c, [entry(1), entry(2)], async (e) => {
          if (e.streamVersion === 2) throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await inbox().handled(c, `${stream}@1`)).toBe(false);
      expect((await runAll(c, [entry(1), entry(2)])).outcomes).toEqual(['handled', 'handled']);
    });

    it('given pass over a dead-lettered entry, then the stream moves on, and a replay with ignoreOrder still runs it', async () => {
      const c = consumer();
      await runAll(c, [entry(1)]);
      await inbox().pass(c, entry(2));
      expect((await runAll(c, [entry(3)])).outcomes).toEqual(['handled']);
      expect(await inbox().handled(c, `${stream}@2`)).toBe(false);
      expect((await runAll(c, [entry(2)], { ignoreOrder: true })).outcomes).toEqual(['handled']);
      expect((await runAll(c, [entry(2)], { ignoreOrder: true })).outcomes).toEqual(['duplicate']);
    });

    it('keeps consumers and streams apart', async () => {
      const [a, b] = [consumer(), consumer()];
      const other = `order-${randomBytes(4).toString('hex')}`;
      await runAll(a, [entry(1), entry(2)]);
      expect((await runAll(b, [entry(1)])).outcomes).toEqual(['handled']);
      expect((await runAll(a, [entry(1, 0, other)])).outcomes).toEqual(['handled']);
    });

    it('given two calls racing with the same entry, then it is handled exactly once', async () => {
      const c = consumer();
      const results = await Promise.allSettled([runAll(c, [entry(1)]), runAll(c, [entry(1)])]);
      const ran = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.seen : []));
      expect(ran).toEqual([`${stream}@1`]);
      expect((await runAll(c, [entry(1)])).outcomes).toEqual(['duplicate']);
    });
  });
}
