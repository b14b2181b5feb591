// Issue 13's reliability scenarios: the test files that run each one, and the parts of the
// issue's description that no test covers yet (`notYet`). A scenario without files is not
// built: the runner says so and never counts it as passed.

/**
 * @typedef {object} Scenario
 * @property {string} id        S1..S12, as in issue 13
 * @property {string} name
 * @property {string} guarantee what a user may rely on because this scenario passes
 * @property {string[]} files   test files, from the repository root; empty: not built
 * @property {string} [notYet]  what the issue asks for that these files do not do yet
 */

/** @type {Scenario[]} */
export const scenarios = [
  {
    id: 'S1',
    name: 'commit-order gaps',
    guarantee:
      'A reader following the log (subscribe, readAll, a live projection) sees every committed event once, never a rolled-back one, and each stream in version order, although PostgreSQL commits transactions out of sequence order.',
    files: [
      'packages/postgres/src/event-store/commit-order.stress.int.test.ts',
      'packages/postgres/src/event-store/stream-order.stress.int.test.ts',
      'packages/postgres/src/processors/runner/projection-live-commits.stress.int.test.ts',
    ],
  },
  {
    id: 'S2',
    name: 'kill -9 during a catch-up and a rebuild',
    guarantee:
      'A projection runner killed with SIGKILL at any moment, catching up or rebuilding, resumes from its checkpoint: the read model equals the fold of the log and each event is applied exactly once.',
    files: [
      'packages/postgres/src/processors/runner/projection-crashes.stress.int.test.ts',
      'packages/postgres/src/processors/runner/projection-rebuild-crashes.stress.int.test.ts',
    ],
  },
  {
    id: 'S3',
    name: 'ambiguous append failure',
    guarantee:
      'An append whose reply is lost after COMMIT, retried with the same event ids or Idempotency-Key, is stored once and answered with the original result.',
    files: [
      'packages/postgres/src/event-store/ambiguous-append.int.test.ts',
      'apps/shop/src/http/ambiguous-command.e2e.test.ts',
    ],
  },
  {
    id: 'S4',
    name: 'optimistic concurrency at load',
    guarantee:
      'Racing writers never fork a stream: versions stay contiguous, each success lands right after the version it expected, and every loser gets a typed ConcurrencyError; through the command bus, a command that loses every retry gets a RetriesExhaustedError, over HTTP a 409 problem with Retry-After.',
    files: [
      'packages/postgres/src/event-store/append-races.stress.int.test.ts',
      'packages/postgres/src/event-store/group-commit.stress.int.test.ts',
      'packages/postgres/src/event-store/command-bus-races.stress.int.test.ts',
      'apps/shop/src/http/retries-exhausted.e2e.test.ts',
    ],
  },
  {
    id: 'S5',
    name: 'relay crash and broker restart',
    guarantee:
      'With the relay and the consumer killed with SIGKILL and NATS restarted, every committed event takes effect exactly once, in stream order, and no rolled-back event does.',
    files: ['packages/nats/src/relay-consumer-faults.stress.int.test.ts'],
  },
  {
    id: 'S6',
    name: 'three-node JetStream cluster',
    guarantee:
      'On an R3 JetStream stream, a node killed with SIGKILL and restarted and another paused with SIGSTOP lose nothing acknowledged: every event the relay published is in the stream once and handled once.',
    files: ['packages/nats/src/nats-cluster.stress.int.test.ts'],
  },
  {
    id: 'S7',
    name: 'poison events and schema drift',
    guarantee:
      "A projection event that keeps failing (its handler throws, its payload fails the schema, its upcaster throws, a strict registry does not know its type) does what its policy says ('stop' halts before it, 'skip' dead-letters it, 'park' dead-letters its stream's later events), with an error naming the event, and is never applied; old versions are upcast; after a fix and a retry the read model equals the fold. A reactor or relay event that cannot be decoded goes down the same policies and never reaches handle or publish.",
    files: [
      'packages/postgres/src/processors/runner/projection-failures.stress.int.test.ts',
      'packages/postgres/src/processors/runner/failure-policies.int.test.ts',
      'packages/postgres/src/processors/runner/schema-drift.int.test.ts',
      'packages/postgres/src/processors/runner/schema-drift-reactors-relays.int.test.ts',
    ],
  },
  {
    id: 'S8',
    name: 'rebuild versus live runners and failover',
    guarantee:
      'When a partition owner is killed, another runner takes over its partitions within claimIntervalMs plus a batch (2.5 s with the defaults), no partition has two owners at any instant, and no event is applied twice or lost; a blue-green rebuild beside the live version answers every query completely from one version.',
    files: [
      'packages/postgres/src/processors/leases/projection-partitions.stress.int.test.ts',
      'packages/postgres/src/processors/versions/projection-blue-green.stress.int.test.ts',
    ],
  },
  {
    id: 'S9',
    name: 'large streams and memory',
    guarantee:
      "Reading a 1M-event stream and the whole log through the store's paging, loading it through the command bus (folding every event, then from a snapshot), and sending it over HTTP to a tenant's staff as one event per line keep each process's resident memory under 256 MB; an event one byte over the store's limit is refused with a typed LimitExceededError and stores nothing.",
    files: [
      'packages/postgres/src/event-store/read-memory.stress.int.test.ts',
      'apps/shop/src/http/large-stream-read.stress.int.test.ts',
    ],
  },
  {
    id: 'S10',
    name: 'migration under traffic',
    guarantee:
      'A migrator killed with SIGKILL inside a migration leaves the old schema and its data intact (also with writers appending), two migrators at once apply each migration exactly once, and appends made while a migration runs wait for it: none that was acknowledged is lost or stored twice, and streams stay contiguous.',
    files: [
      'packages/postgres/src/migrations-kill.stress.int.test.ts',
      'packages/postgres/src/migrations-traffic.stress.int.test.ts',
      'packages/postgres/src/migrations-kill-traffic.stress.int.test.ts',
    ],
  },
  {
    id: 'S11',
    name: 'HTTP abuse',
    guarantee:
      'Hostile requests (oversized, malformed, unauthorised, unstorable text) get a problem response with the right status, never a 500 or a stored event.',
    files: [
      'packages/http/src/abuse.e2e.test.ts',
      'apps/shop/src/http/abuse.e2e.test.ts',
      'apps/shop/src/http/unstorable-text.e2e.test.ts',
      'apps/shop/src/http/openapi-properties.e2e.test.ts',
    ],
    notYet:
      'the requests generated from the OpenAPI document run on PostgreSQL only under DUET_FULL, without a minPosition far ahead or a well-formed readToken (a 503 and a 501 by design, on this one-service server)',
  },
  {
    id: 'S12',
    name: 'tenants and shredding',
    guarantee:
      'No tenant ever sees another tenant’s data; a forgotten data subject’s personal fields are unreadable everywhere.',
    files: [
      'packages/postgres/src/event-store/tenant-isolation.int.test.ts',
      'packages/postgres/src/event-store/tenant-isolation-probe.int.test.ts',
      'apps/shop/src/http/tenants.e2e.test.ts',
      'packages/nats/src/nats-service-permissions.int.test.ts',
      'apps/shop/src/customers/forget-customer.int.test.ts',
    ],
  },
];
