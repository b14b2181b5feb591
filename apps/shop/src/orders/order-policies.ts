import type { CommandPolicy } from '@duet/core';
import { STAFF_ROLE } from './order-decider.ts';

const staffOnly: CommandPolicy = (_, context) =>
  context.roles?.includes(STAFF_ROLE) === true || 'only staff confirm and ship orders';

/** Who may send which order command; ownership of each order is the decider's rule. */
export const orderPolicies: Record<string, CommandPolicy> = {
  ConfirmOrder: staffOnly,
  ShipOrder: staffOnly,
};
