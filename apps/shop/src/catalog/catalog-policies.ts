import type { CommandPolicy } from '@duet/core';
import { STAFF_ROLE } from './catalog-access.ts';
import { catalogCommands } from './product-handler.ts';

// Refused before the product is loaded; the decider checks the role again, so the rule
// holds for any other caller of it.
const staffOnly: CommandPolicy = (command, context) =>
  context.roles?.includes(STAFF_ROLE) === true || `only staff may ${command.type}`;

/**
 * Who may send which catalog command: staff, for every one of them.
 *
 * @example
 * createCommandBus({ store, handlers: [productHandler], policies: catalogPolicies });
 */
export const catalogPolicies: Record<string, CommandPolicy> = Object.fromEntries(
  catalogCommands.map((command) => [command.type, staffOnly]),
);
