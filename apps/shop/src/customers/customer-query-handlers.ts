import { defineQueryHandler, NotFoundError, type QueryPolicy, ValidationError } from '@duet/core';
import type { ReadModel } from '@duet/postgres';
import { GetMyProfile, ListCustomers } from './customer-queries.ts';
import { STAFF_ROLE } from './customer-roles.ts';

/** Resolves a projection's active tables at query time (blue-green may have switched). */
export type ReadModels = (name: string) => Promise<ReadModel>;

interface ProfileRow {
  customer_id: string;
  name: string;
  email: string;
  shipping_address: {
    line1: string;
    line2?: string;
    city: string;
    postalCode: string;
    country: string;
  };
  credit_limit_cents: string | number;
  reserved_cents: string | number;
  registered_at: Date | string;
  updated_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

function toProfile(row: ProfileRow) {
  return {
    customerId: row.customer_id,
    name: row.name,
    email: row.email,
    shippingAddress: row.shipping_address,
    creditLimitCents: Number(row.credit_limit_cents),
    reservedCents: Number(row.reserved_cents),
    registeredAt: iso(row.registered_at),
    updatedAt: iso(row.updated_at),
  };
}

// The cursor is the last row's id, opaque to callers so the order may change later.
const encodeCursor = (customerId: string) => Buffer.from(customerId).toString('base64url');

function decodeCursor(cursor: string): string {
  const customerId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (customerId.length > 0 && encodeCursor(customerId) === cursor) return customerId;
  throw new ValidationError('query ListCustomers', [
    { path: ['after'], message: 'not a cursor from a previous page' },
  ]);
}

/**
 * Who may ask which customer query: the list is for staff (403 for others, before any
 * read); a profile is always the asker's own, so it needs no policy.
 *
 * @example
 * createQueryBus({ handlers, policies: customerQueryPolicies });
 */
export const customerQueryPolicies: Record<string, QueryPolicy> = {
  ListCustomers: (_, context) =>
    context.roles?.includes(STAFF_ROLE) === true || 'only staff list customers',
};

/**
 * The customers service's query handlers, on the `customers_profiles` read model.
 *
 * @example
 * createQueryBus({ handlers: customerQueryHandlers((name) => processors.readModel(name)) });
 */
export function customerQueryHandlers(readModels: ReadModels) {
  const getMyProfile = defineQueryHandler(GetMyProfile, async (_params, context) => {
    if (context.actor === undefined) throw new NotFoundError('customer', 'me');
    const { tables, executor } = await readModels('customers_profiles');
    const { rows } = await executor.query<ProfileRow>(
      `SELECT * FROM ${tables.name('profiles')} WHERE customer_id = $1`,
      [context.actor],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('customer', context.actor);
    return toProfile(row);
  });

  const listCustomers = defineQueryHandler(ListCustomers, async (params) => {
    const { tables, executor } = await readModels('customers_profiles');
    const after = params.after === undefined ? null : decodeCursor(params.after);
    // Keyset paging on the primary key: a page costs the same however deep it is.
    const { rows } = await executor.query<ProfileRow>(
      `SELECT * FROM ${tables.name('profiles')}
        WHERE $1::text IS NULL OR customer_id > $1::text
        ORDER BY customer_id LIMIT $2`,
      [after, params.limit + 1],
    );
    const page = rows.slice(0, params.limit);
    const last = page.at(-1);
    return {
      customers: page.map(toProfile),
      next: rows.length > params.limit && last ? encodeCursor(last.customer_id) : null,
    };
  });

  return [getMyProfile, listCustomers];
}
