// Child process of open-pglite.e2e.test.ts: opens a PGlite directory through `openPGlite`
// in a process of its own, as an app or a `duet` command would.
//
//   node --import tsx open-pglite-child.ts hold <dir>   prints `ready <pid>`, then holds the
//                                                        directory until stdin says `close`
//   node --import tsx open-pglite-child.ts try <dir>    opens and closes; when the directory
//                                                        is in use, prints the error as JSON
//                                                        and exits 4
import { createInterface } from 'node:readline';
import { openPGlite, PGliteDirectoryInUseError } from '@duet/postgres';

const [mode, dir = ''] = process.argv.slice(2);

try {
  const pglite = await openPGlite(dir);
  await pglite.executor.query('CREATE TABLE IF NOT EXISTS opened (pid integer)');
  await pglite.executor.query('INSERT INTO opened VALUES ($1)', [process.pid]);
  if (mode === 'hold') {
    process.stdout.write(`ready ${process.pid}\n`);
    for await (const line of createInterface({ input: process.stdin })) {
      if (line === 'close') break;
    }
  }
  const { rows } = await pglite.executor.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM opened',
  );
  await pglite.close();
  process.stdout.write(`closed ${rows[0]?.n}\n`);
} catch (error) {
  if (!(error instanceof PGliteDirectoryInUseError)) throw error;
  const { name, code, directory, pid, lockFile, message } = error;
  process.stdout.write(`${JSON.stringify({ name, code, directory, pid, lockFile, message })}\n`);
  process.exitCode = 4;
}
