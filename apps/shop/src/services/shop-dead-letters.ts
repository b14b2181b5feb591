/** Where a shop service keeps its broker dead letters: `NATS_DEAD_LETTERS`. */
export type ShopDeadLetterLayout = 'shared' | 'per-service';

/**
 * The dead-letter stream and subject prefix of a shop service. `shared` (the default): one
 * `DUET_DEAD_LETTERS` stream, `duet.dead.<consumer>`, for every service. `per-service`
 * (issue 13): `DUET_DEAD_LETTERS_<SERVICE>`, `duet.dead-<service>.<consumer>`, so that a
 * service's NATS user, which lists and removes dead letters by sequence, reads and removes
 * its own only. The prefixes do not overlap `duet.dead.>`, so both can live on one server
 * while a deployment moves over. A namespace replaces `DUET` / `duet`.
 *
 * @example
 * shopDeadLetters({ service: 'order-history', layout: 'per-service' })
 * // { stream: 'DUET_DEAD_LETTERS_ORDER_HISTORY', subjectPrefix: 'duet.dead-order-history' }
 */
export function shopDeadLetters(options: {
  readonly service: string;
  readonly namespace?: string | undefined;
  readonly layout?: ShopDeadLetterLayout;
}): { stream: string; subjectPrefix: string } {
  const { service, namespace } = options;
  const root = namespace ?? 'duet';
  const stream = `${root.toUpperCase()}_DEAD_LETTERS`;
  if (options.layout !== 'per-service') return { stream, subjectPrefix: `${root}.dead` };
  return {
    stream: `${stream}_${service.toUpperCase().replaceAll('-', '_')}`,
    subjectPrefix: `${root}.dead-${service}`,
  };
}
