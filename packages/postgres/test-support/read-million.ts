// Child process of read-memory.stress.int.test.ts: reads one stream and then the whole log
// end to end through the store's default paging, and reports how many events it saw and
// the highest resident set size it reached. Its own process, so the test runner's memory
// does not count and nothing is tuned: no --max-old-space-size, no forced GC.
//
//   node --import tsx read-million.ts <connection string> <schema> <stream>
import { createCommandBus, type Decider, defineCommand, defineCommandHandler } from '@duet/core';
import {
  createPgExecutor,
  createPostgresEventStore,
  createPostgresSnapshotStore,
} from '@duet/postgres';

const [connectionString, schema, stream] = process.argv.slice(2);
if (connectionString === undefined || schema === undefined || stream === undefined) {
  throw new Error('usage: read-million.ts <connection string> <schema> <stream>');
}

let peakRss = process.memoryUsage().rss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 50);

const executor = createPgExecutor({ connectionString });
const store = createPostgresEventStore({ executor, schema });
try {
  let started = Date.now();
  let streamCount = 0;
  let outOfOrder = 0;
  for await (const event of store.readStream(stream)) {
    streamCount += 1;
    if (event.streamVersion !== streamCount) outOfOrder += 1;
    // The sampler only runs when the loop yields; sample here too in case pages are large.
    if (streamCount % 10_000 === 0) sample();
  }
  const streamMs = Date.now() - started;

  started = Date.now();
  let allCount = 0;
  let previous = '';
  for await (const event of store.readAll()) {
    allCount += 1;
    if (event.position <= previous) outOfOrder += 1;
    previous = event.position;
    if (allCount % 10_000 === 0) sample();
  }
  const allMs = Date.now() - started;
  sample();
  const readRss = peakRss;

  // Loaded through the command bus, as a command handler would: first with no snapshot
  // (the decider folds every event), then from a snapshot at the head (no tail to read).
  const Tally = defineCommand('Tally', {
    '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as object }) },
  });
  const tally: Decider<ReturnType<typeof Tally.create>, { events: number; sum: number }, never> = {
    initialState: () => ({ events: 0, sum: 0 }),
    evolve: (state, event) => ({
      events: state.events + 1,
      sum: state.sum + (event as unknown as { data: { amount: number } }).data.amount,
    }),
    decide: () => [],
  };
  const snapshots = createPostgresSnapshotStore({ executor, schema });
  const bus = createCommandBus({
    store,
    snapshots,
    handlers: [
      defineCommandHandler({
        decider: tally,
        commands: [Tally],
        stream: () => stream,
        snapshot: { version: 1, every: 1_000_000_000 },
      }),
    ],
  });
  started = Date.now();
  const folded = await bus.send(Tally.create({}));
  const loadMs = Date.now() - started;
  sample();
  const loadRss = peakRss;
  await snapshots.save({
    stream,
    streamVersion: folded.streamVersion,
    deciderVersion: 1,
    state: { events: folded.streamVersion, sum: 0 },
  });
  started = Date.now();
  const fromSnapshot = await bus.send(Tally.create({}));
  const snapshotLoadMs = Date.now() - started;
  sample();
  process.stdout.write(
    `${JSON.stringify({
      streamCount,
      allCount,
      outOfOrder,
      peakRss,
      readRss,
      loadRss,
      streamMs,
      allMs,
      loadedVersion: folded.streamVersion,
      loadMs,
      snapshotVersion: fromSnapshot.streamVersion,
      snapshotLoadMs,
    })}\n`,
  );
} finally {
  clearInterval(sampler);
  await store.close();
  await executor.close();
}
