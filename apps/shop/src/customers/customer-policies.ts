import type { CommandPolicy } from '@duet/core';
import { STAFF_ROLE, SYSTEM_ROLE } from './customer-roles.ts';

const hasRole =
  (role: string, why: string): CommandPolicy =>
  (_, context) =>
    context.roles?.includes(role) === true || why;

/**
 * Who may send which customer command, checked by the bus before any stream is read (a
 * 403 that says nothing about the customer). The decider checks the same roles again, and
 * owns the rule that customers see and change only themselves.
 *
 * @example
 * createCommandBus({ store, handlers: [customerHandler], policies: customerPolicies });
 */
export const customerPolicies: Record<string, CommandPolicy> = {
  SetCreditLimit: hasRole(STAFF_ROLE, 'only staff set credit limits'),
  ReserveCredit: hasRole(SYSTEM_ROLE, 'only the order placement saga reserves credit'),
  ReleaseCredit: hasRole(SYSTEM_ROLE, 'only the order placement saga releases credit'),
};
