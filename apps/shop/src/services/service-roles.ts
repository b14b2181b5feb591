import { ValidationError } from '@duet/core';

/**
 * What one process of a service does. The seeds draw CQRS as separate read and write
 * subsystems, and each side scales on its own:
 * - `command`: the command API (writes to the service's store);
 * - `query`: the query API (reads its read models; `/health/ready` shows their lag);
 * - `processors`: projections, relays, consumers, the saga and its timers.
 */
export type ServiceRole = 'command' | 'query' | 'processors';

export const allRoles: readonly ServiceRole[] = ['command', 'query', 'processors'];

/**
 * Parses a role list such as `command,query` (default every role); an unknown role or an
 * empty list is a `ValidationError` naming it.
 *
 * @example
 * parseRoles('query'); // ['query']
 */
export function parseRoles(text: string | undefined): readonly ServiceRole[] {
  if (text === undefined || text.trim() === '') return allRoles;
  const roles = text.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !(allRoles as readonly string[]).includes(role));
  if (unknown.length > 0 || roles.length === 0) {
    throw new ValidationError('SHOP_ROLES', [
      {
        path: [],
        message: `expected a comma-separated list of ${allRoles.join(', ')}, got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return [...new Set(roles)] as ServiceRole[];
}
