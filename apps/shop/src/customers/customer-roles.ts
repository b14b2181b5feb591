/**
 * Roles the customers service knows. Staff see and change every customer; `system` is the
 * order-placement saga's consumer, the only one that reserves and releases credit. The
 * HTTP edge must never grant `system` to a principal.
 *
 * @example
 * const staff = context.roles.includes(STAFF_ROLE);
 */
export const STAFF_ROLE = 'staff';

/** See `STAFF_ROLE`. */
export const SYSTEM_ROLE = 'system';
