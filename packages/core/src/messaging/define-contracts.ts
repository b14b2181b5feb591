import { ValidationError } from '../errors/validation-error.ts';
import type { IntegrationEventDefinition } from './define-integration-event.ts';

/** What one service publishes: its integration events, each found by domain type or subject. */
export interface Contracts {
  readonly kind: 'contracts';
  readonly service: string;
  readonly events: readonly IntegrationEventDefinition[];
  /** `<service>.>`: every subject this service publishes on. */
  readonly subjects: string;
  /** The contract a domain event type is published as, if any. */
  forDomainType(type: string): IntegrationEventDefinition | undefined;
  /** The contract on a subject, if any. */
  forSubject(subject: string): IntegrationEventDefinition | undefined;
  /** Every domain event type some contract is published for. */
  readonly domainTypes: readonly string[];
}

/**
 * Groups one service's integration events. Each domain event type produces at most one
 * contract, so the relay knows what to publish for it.
 *
 * @example
 * export const ordersContracts = defineContracts('orders', [OrderPlacedV1, OrderCancelledV1]);
 */
export function defineContracts(
  service: string,
  events: readonly IntegrationEventDefinition[],
): Contracts {
  const byType = new Map<string, IntegrationEventDefinition>();
  const bySubject = new Map<string, IntegrationEventDefinition>();
  if (!Array.isArray(events) || events.length === 0) {
    throw fail(`contracts of ${service}`, 'expected at least one integration event');
  }
  events.forEach((event, index) => {
    if (event?.kind !== 'integration-event') {
      throw fail(
        `contracts of ${service}`,
        'expected integration events made by defineIntegrationEvent',
        [index],
      );
    }
    if (event.service !== service) {
      throw fail(
        `contracts of ${service}`,
        `${event.subject} belongs to service ${event.service}`,
        [index],
      );
    }
    if (bySubject.has(event.subject)) {
      throw fail(`contracts of ${service}`, `${event.subject} is declared twice`, [index]);
    }
    bySubject.set(event.subject, event);
    for (const type of event.from) {
      const other = byType.get(type);
      if (other) {
        throw fail(
          `contracts of ${service}`,
          `domain event ${type} maps to both ${other.subject} and ${event.subject}`,
          [index],
        );
      }
      byType.set(type, event);
    }
  });
  return {
    kind: 'contracts',
    service,
    events: [...events],
    subjects: `${service}.>`,
    forDomainType: (type) => byType.get(type),
    forSubject: (subject) => bySubject.get(subject),
    domainTypes: [...byType.keys()],
  };
}

function fail(subject: string, message: string, path: (string | number)[] = []): ValidationError {
  return new ValidationError(subject, [{ path, message }]);
}
