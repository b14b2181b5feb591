import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Delivery } from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { natsServerBinaryFound, startNatsServer } from '@duet/nats/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { shopServices } from './open-shop-service.ts';
import { shopDeadLetters } from './shop-dead-letters.ts';
import { shopNatsGrants } from './shop-nats-users.ts';

// Issue 13: the shop's NATS users as deploy/nats/shop-users.conf has them, on a
// nats-server of the test's own: each service creates its stream and publishes its
// contracts under its user, every durable consumer of every service reads and acks its
// source under its user, and no user publishes on another service's subjects.
const binaryFound = natsServerBinaryFound();
if (!binaryFound) console.warn('skipping the shop NATS users test: no nats-server binary');
const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const passwordOf = (service: string) => `pw-${service}`;
const envOf = (service: string) => `NATS_PASSWORD_${service.toUpperCase().replaceAll('-', '_')}`;

describe.skipIf(!binaryFound)('the shop’s NATS users (deploy/nats/shop-users.conf)', () => {
  it('given each service logged in as its user with tenant subjects, then relays publish and every durable consumer reads and acks, and none publishes on another service’s subjects', async () => {
    const grants = shopNatsGrants({ tenantSubjects: true });
    await using server = await startNatsServer({
      jetstream: true,
      config: readFileSync(resolve(root, 'deploy/nats/shop-users.conf'), 'utf8'),
      env: Object.fromEntries(shopServices.map((s) => [envOf(s), passwordOf(s)])),
      login: { user: 'customers', pass: passwordOf('customers'), inboxPrefix: '_INBOX_customers' },
    });
    const transports = await Promise.all(
      shopServices.map(
        (service) =>
          // #region service-transport
          openNatsTransport({
            servers: server.url,
            user: service, // its NATS user: NATS_USER
            password: passwordOf(service), // NATS_PASSWORD
            inboxPrefix: `_INBOX_${service}`, // the only subject it may subscribe to
            tenantSubjects: true, // orders.<tenant>.OrderPlaced
            deadLetters: shopDeadLetters({ service, layout: 'per-service' }), // its own
          }),
        // #endregion service-transport
      ),
    );
    const transportOf = (service: string) => transports[shopServices.indexOf(service as never)]!;
    try {
      for (const service of shopServices) {
        const own = grants[service].publishes;
        await transportOf(service).ensureStreams(own ? [own.stream] : []);
        if (!own?.contracts) continue;
        const subject = own.contracts.events[0]!.subject;
        await transportOf(service).publish([
          { id: `${service}-1`, subject, headers: { 'Duet-Tenant': 'acme' }, payload: '{}' },
        ]);
      }
      let consumers = 0;
      for (const service of shopServices) {
        for (const { stream, durable } of grants[service].consumes ?? []) {
          consumers += 1;
          const stop = new AbortController();
          const got: Delivery[] = [];
          for await (const batch of transportOf(service).consume(
            { name: durable, stream, ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 10 },
            { signal: stop.signal },
          )) {
            for (const delivery of batch) {
              got.push(delivery);
              await delivery.ack();
            }
            stop.abort();
          }
          expect([service, durable, got.map((d) => d.message.tenant)]).toEqual([
            service,
            durable,
            ['acme'],
          ]);
        }
      }
      expect(consumers).toBe(11);
      // The payments user on the orders' subject: refused by the server.
      const payments = await connect({
        servers: server.url,
        user: 'payments',
        pass: passwordOf('payments'),
        inboxPrefix: '_INBOX_payments',
      });
      try {
        await expect(jetstream(payments).publish('orders.acme.OrderPlaced', '{}')).rejects.toThrow(
          /Permissions Violation/,
        );
      } finally {
        await payments.close();
      }
    } finally {
      for (const transport of transports) await transport.close();
    }
  }, 60_000);
});
