import {
  type Contracts,
  type MessageStreamDefinition,
  tenantFilter,
  ValidationError,
} from '@duet/core';

/** What `natsServicePermissions` takes: what one service publishes and consumes. */
export interface NatsServicePermissionsOptions {
  /** The service, e.g. `orders`: its replies come on `_INBOX_<service>` unless `inboxPrefix` says otherwise. */
  readonly service: string;
  /** Its relay's stream and contracts: it publishes those contracts' subjects only (every subject of the stream without contracts). */
  readonly publishes?: {
    readonly stream: MessageStreamDefinition;
    readonly contracts?: Contracts;
  };
  /** Its durable consumers: each reads one other service's stream under one durable name. */
  readonly consumes?: readonly {
    readonly stream: MessageStreamDefinition;
    readonly durable: string;
  }[];
  /** As the transport's `deadLetters` (default stream `DUET_DEAD_LETTERS`, subjects `duet.dead.<consumer>`). */
  readonly deadLetters?: { readonly stream?: string; readonly subjectPrefix?: string };
  /** As the transport's `subjectPrefix` (default none). */
  readonly subjectPrefix?: string;
  /** As the transport's `tenantSubjects` (default false). */
  readonly tenantSubjects?: boolean;
  /** As the transport's `inboxPrefix` (default `_INBOX_<service>`). */
  readonly inboxPrefix?: string;
  /**
   * Whether it may create the streams it consumes when they are missing, as
   * `createIntegrationConsumer` does so that nothing published before the publisher starts
   * is lost (default true). Creating never changes an existing stream: that would be
   * `STREAM.UPDATE`, which only the owner gets. Say false when the streams are made ahead.
   */
  readonly createSourceStreams?: boolean;
}

/** One nats-server user's `permissions`: allow lists, everything else denied. */
export interface NatsPermissions {
  readonly publish: { readonly allow: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
}

const token = /^[A-Za-z0-9_-]+$/;

/**
 * The least a service's NATS user needs (found against nats-server 2.9,
 * `nats-service-permissions.int.test.ts`): publish its own contracts' subjects and the
 * JetStream API calls for its own stream, its durable consumers and its dead letters;
 * subscribe to its own inbox only. It cannot publish or subscribe on another service's
 * subjects, read another service's stream through a consumer of its own, or delete or
 * purge any stream.
 *
 * @example
 * const permissions = natsServicePermissions({ service: 'payments', publishes: { stream: streams.payments, contracts: paymentsContracts },
 *   consumes: [{ stream: streams.orders, durable: 'payments_requests' }], tenantSubjects: true });
 */
export function natsServicePermissions(options: NatsServicePermissionsOptions): NatsPermissions {
  const fail = (option: string, message: string): never => {
    throw new ValidationError(`nats permissions option ${option}`, [{ path: [], message }]);
  };
  const { service } = options;
  if (typeof service !== 'string' || !token.test(service))
    fail('service', 'expected a subject token');
  const prefix = options.subjectPrefix ? `${options.subjectPrefix}.` : '';
  const onWire = (subject: string) =>
    prefix + (options.tenantSubjects ? tenantFilter(subject) : subject);
  const inbox = options.inboxPrefix ?? `_INBOX_${service}`;
  const letters = options.deadLetters?.stream ?? 'DUET_DEAD_LETTERS';
  const letterPrefix = options.deadLetters?.subjectPrefix ?? 'duet.dead';
  const consumes = options.consumes ?? [];
  for (const { durable } of consumes) {
    if (typeof durable !== 'string' || !token.test(durable))
      fail('consumes.durable', 'expected a durable consumer name');
  }
  const api = '$JS.API';
  const publish = new Set<string>([`${api}.INFO`]);
  const own = options.publishes;
  if (own) {
    const subjects = own.contracts
      ? own.contracts.events.map((event) => event.subject)
      : own.stream.subjects;
    for (const subject of subjects) publish.add(onWire(subject));
    publish.add(`${api}.STREAM.INFO.${own.stream.name}`);
    publish.add(`${api}.STREAM.CREATE.${own.stream.name}`);
  }
  for (const { stream, durable } of consumes) {
    publish.add(`${api}.STREAM.INFO.${stream.name}`);
    if (options.createSourceStreams !== false) publish.add(`${api}.STREAM.CREATE.${stream.name}`);
    publish.add(`${api}.CONSUMER.INFO.${stream.name}.${durable}`);
    // 2.9's create and update, the durable in the subject. A consumer with a filter would
    // add `.<filter>`; Duet's integration consumers read the whole stream.
    publish.add(`${api}.CONSUMER.CREATE.${stream.name}.${durable}`);
    publish.add(`${api}.CONSUMER.MSG.NEXT.${stream.name}.${durable}`);
    publish.add(`$JS.ACK.${stream.name}.${durable}.>`);
  }
  // Dead letters: ensureStreams makes their stream; a consumer writes under its own
  // subject and lists and removes them by sequence.
  publish.add(`${api}.STREAM.INFO.${letters}`);
  publish.add(`${api}.STREAM.CREATE.${letters}`);
  if (consumes.length > 0) {
    for (const { durable } of consumes) publish.add(`${letterPrefix}.${durable}`);
    publish.add(`${api}.STREAM.MSG.GET.${letters}`);
    publish.add(`${api}.STREAM.MSG.DELETE.${letters}`);
  }
  return { publish: { allow: [...publish] }, subscribe: { allow: [`${inbox}.>`] } };
}
