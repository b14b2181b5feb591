import { defineQuery } from '@duet/core';
import { z } from 'zod';

/** Pages are at most this long. */
export const MAX_CUSTOMERS_PAGE = 100;

/** A customer as the profile read model shows them. */
export const CustomerProfile = z.object({
  customerId: z.string(),
  name: z.string(),
  email: z.string(),
  shippingAddress: z.object({
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    postalCode: z.string(),
    country: z.string(),
  }),
  creditLimitCents: z.number().int(),
  /** Held by open orders; the rest of the limit is free. */
  reservedCents: z.number().int(),
  registeredAt: z.string(),
  updatedAt: z.string(),
});

/**
 * The signed-in customer's own profile (404 until they registered).
 *
 * @example
 * await queries.ask('GetMyProfile', {}, { actor: 'ada', roles: ['customer'] });
 */
export const GetMyProfile = defineQuery('GetMyProfile', {
  description: 'Your own profile: name, email, shipping address, credit limit and credit held.',
  params: z.strictObject({}),
  result: CustomerProfile,
  projections: ['customers_profiles'],
});

/**
 * Staff: every customer by id, a page at a time (pass `next` as `after`).
 *
 * @example
 * await queries.ask('ListCustomers', { limit: 50 }, { actor: 'sam', roles: ['staff'] });
 */
export const ListCustomers = defineQuery('ListCustomers', {
  description: 'Staff: every customer, ordered by id, a page at a time.',
  params: z.strictObject({
    limit: z.number().int().min(1).max(MAX_CUSTOMERS_PAGE).default(20),
    /** The `next` cursor of the previous page. */
    after: z.string().max(200).optional(),
  }),
  result: z.object({ customers: z.array(CustomerProfile), next: z.string().nullable() }),
  projections: ['customers_profiles'],
});

export const customerQueries = [GetMyProfile, ListCustomers];
