// Child process of open-postgres-event-store.int.test.ts: a first-time user's script (the
// README shows it). It opens a store with the one-call opener, appends, reads, follows,
// closes the store and nothing else, then simply ends. If the store left its connection
// open, this process would hang and the test would time out.
//
//   node --import tsx open-postgres-event-store-child.ts postgres <connection string> <schema>
//   node --import tsx open-postgres-event-store-child.ts pglite
import { openPostgresEventStore } from '@duet/postgres';

const [kind, connectionString = '', schema = 'duet'] = process.argv.slice(2);
const connection =
  kind === 'postgres' ? { connectionString, schema } : { pglite: 'memory://' as const };

// #region first-script
const store = await openPostgresEventStore({ ...connection, migrate: true });
await store.append('cart-1', [{ type: 'CartOpened', data: { by: 'child' } }]);
let read = 0;
for await (const _ of store.readStream('cart-1')) read++;
// A subscription holds a LISTEN connection; it ends only through its signal.
const controller = new AbortController();
for await (const _ of store.subscribe({ signal: controller.signal })) controller.abort();
await store.close(); // closes the pool (or PGlite) it opened: the process can exit
// #endregion first-script

process.stdout.write(`${JSON.stringify({ read })}\n`);
