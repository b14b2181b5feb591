import { TransportConfigError, UnavailableError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { freePort, startNatsServer } from '../test-support/nats-server-process.ts';
import { openNatsTransport } from './open-nats-transport.ts';

// Start-up errors say what is wrong: no server, or a server without JetStream.
describe('openNatsTransport at start-up', () => {
  it('given no server on the URL, then UnavailableError names the URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const error = await openNatsTransport({ servers: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('-js');
  });

  it('given a server without JetStream, then TransportConfigError says JetStream is not enabled', async () => {
    await using server = await startNatsServer({ jetstream: false });
    const error = await openNatsTransport({ servers: server.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportConfigError);
    expect((error as Error).message).toMatch(/JetStream is not enabled/);
  });

  // packages/nats/README.md shows the region: the transport the two services share.
  it('given a server with JetStream, when opened with await using, then it connects and the scope closes it', async () => {
    await using server = await startNatsServer();
    const natsUrl = server.url;
    let connection: { isClosed(): boolean } | undefined;
    {
      // #region open-transport
      await using transport = await openNatsTransport({
        servers: natsUrl, // e.g. process.env.NATS_URL ?? 'nats://127.0.0.1:4222'; several for a cluster
      });
      // #endregion open-transport
      connection = transport.connection;
      expect(connection.isClosed()).toBe(false);
    }
    expect(connection.isClosed()).toBe(true);
  });
});
