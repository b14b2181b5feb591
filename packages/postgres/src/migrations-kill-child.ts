// Child process of migrations-kill.stress.int.test.ts: a migrating app instance the test
// can start on cue and kill. It connects, prints `ready`, waits for a line on stdin, runs
// migrate() and prints `{"applied":[...]}`.
//
//   node --import tsx migrations-kill-child.ts <connection string> <schema>
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createPgExecutor, migrate } from '@duet/postgres';

const [connectionString, schema] = process.argv.slice(2);
if (connectionString === undefined || schema === undefined) {
  throw new Error('usage: migrations-kill-child.ts <connection string> <schema>');
}

const executor = createPgExecutor({ connectionString, max: 2 });
try {
  await executor.query('SELECT 1');
  process.stdout.write('ready\n');
  const input = createInterface({ input: process.stdin });
  await once(input, 'line');
  input.close();
  const { applied } = await migrate(executor, { schema });
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
} finally {
  await executor.close();
}
