import { createServer, type Server, Socket } from 'node:net';

/** What `startPgFaultProxy` returns: where to connect, and the fault to arm. */
export interface PgFaultProxy extends AsyncDisposable {
  /** A connection string to the proxy, with the target's user, database and options. */
  readonly url: string;
  /**
   * Arms one cut: on the next connection that runs a statement whose SQL contains `sqlText`,
   * the proxy waits for the server's ReadyForQuery that reports the transaction ended (so
   * the statement's transaction has committed), drops those bytes and closes both sides.
   * The client never learns the outcome. Resolves once the cut happened.
   */
  cutAfterCommitOf(sqlText: string): Promise<void>;
  /**
   * The simple-protocol statements (`Query` messages, SQL without parameters) clients sent
   * through the proxy so far, in order: e.g. to count the session switches of an executor.
   */
  readonly simpleQueries: readonly string[];
  close(): Promise<void>;
}

interface Armed {
  readonly sqlText: string;
  readonly done: () => void;
}

/**
 * A TCP proxy between a `pg` client and PostgreSQL that can lose the reply of a committed
 * transaction: the "ambiguous commit" of a network cut after COMMIT and before the reply.
 * It reads the wire protocol's frames (no TLS) only to see which statement runs and when
 * the server is ready again; every byte is forwarded unchanged until the armed cut.
 *
 * @example
 * await using proxy = await startPgFaultProxy(testDatabaseUrl());
 * const cut = proxy.cutAfterCommitOf('append_events');
 * await expect(store.append('s-1', events)).rejects.toThrow(); await cut;
 */
export async function startPgFaultProxy(targetUrl: string): Promise<PgFaultProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let armed: Armed | undefined;
  const simpleQueries: string[] = [];

  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    // Named statements whose SQL matched, so a later Bind to one of them matches too.
    const matchingStatements = new Set<string>();
    let cutting: Armed | undefined;
    const fromClient = frameReader({ startup: true });
    const fromServer = frameReader({ startup: false });

    client.on('data', (chunk: Buffer) => {
      for (const { type, body } of fromClient(chunk)) {
        if (type === 'Q') simpleQueries.push(body.toString('utf8').split('\0')[0]!);
        const sql = statementText(type, body, matchingStatements, armed?.sqlText);
        if (armed && sql) {
          cutting = armed;
          armed = undefined;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const ended = fromServer(chunk).some(
        ({ type, body }) => type === 'Z' && body.toString('latin1') === 'I',
      );
      if (cutting && ended) {
        // Commit done on the server; the client never hears of it.
        const { done } = cutting;
        cutting = undefined;
        client.destroy();
        upstream.destroy();
        done();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: url.toString(),
    cutAfterCommitOf: (sqlText) =>
      new Promise<void>((resolve) => {
        armed = { sqlText, done: resolve };
      }),
    simpleQueries,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * True when a frontend message runs SQL containing `wanted`: a simple Query, a Parse (its
 * statement name is remembered) or a Bind to a remembered statement.
 */
function statementText(
  type: string,
  body: Buffer,
  matching: Set<string>,
  wanted: string | undefined,
): boolean {
  if (wanted === undefined) return false;
  const strings = (count: number) => body.toString('utf8').split('\0').slice(0, count);
  if (type === 'Q') return strings(1)[0]!.includes(wanted);
  if (type === 'P') {
    const [name, sql] = strings(2);
    if (!sql?.includes(wanted)) return false;
    if (name) matching.add(name);
    return true;
  }
  if (type === 'B') return matching.has(strings(2)[1] ?? '');
  return false;
}

/**
 * Splits a byte stream into protocol messages: a type byte, an int32 length (itself
 * included), the body. A client's first message (startup) has no type byte.
 */
function frameReader(options: { startup: boolean }) {
  let buffered = Buffer.alloc(0);
  let untyped = options.startup;
  return (chunk: Buffer): { type: string; body: Buffer }[] => {
    buffered = Buffer.concat([buffered, chunk]);
    const messages: { type: string; body: Buffer }[] = [];
    for (;;) {
      const head = untyped ? 0 : 1;
      if (buffered.length < head + 4) break;
      const length = buffered.readInt32BE(head);
      if (buffered.length < head + length) break;
      const type = untyped ? '' : String.fromCharCode(buffered[0]!);
      messages.push({ type, body: buffered.subarray(head + 4, head + length) });
      buffered = buffered.subarray(head + length);
      untyped = false;
    }
    return messages;
  };
}
