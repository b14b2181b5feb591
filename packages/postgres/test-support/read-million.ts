// Child process of read-memory.stress.int.test.ts: reads one stream and then the whole log
// end to end through the store's default paging, and reports how many events it saw and
// the highest resident set size it reached. Its own process, so the test runner's memory
// does not count and nothing is tuned: no --max-old-space-size, no forced GC.
//
//   node --import tsx read-million.ts <connection string> <schema> <stream>
import { createPgExecutor, createPostgresEventStore } from '@duet/postgres';

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
  process.stdout.write(
    `${JSON.stringify({ streamCount, allCount, outOfOrder, peakRss, streamMs, allMs })}\n`,
  );
} finally {
  clearInterval(sampler);
  await store.close();
  await executor.close();
}
