import pg from 'pg';

/**
 * One connected `pg.Client` per writer, for the raw systems (one autocommit INSERT per
 * append, no pool in between).
 *
 * @example
 * const clients = await connectWriterClients(url, shape.writers);
 * await clients[0]!.query(sql, params); await endWriterClients(clients);
 */
export async function connectWriterClients(
  connectionString: string,
  writers: number,
): Promise<pg.Client[]> {
  const clients = Array.from({ length: writers }, () => new pg.Client({ connectionString }));
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

export async function endWriterClients(clients: readonly pg.Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.end()));
}
