import { defineProjection, FORGOTTEN, PersonalDataForgotten, type RecordedEvent } from '@duet/core';
import { isolateTenantRows, TENANT_COLUMN } from '@duet/postgres';
import {
  CreditLimitSet,
  CreditReleased,
  CreditReserved,
  type CustomerEvent,
  CustomerRegistered,
  CustomerRenamed,
  ShippingAddressChanged,
} from './customer-events.ts';
import { customerIdOfSubject, FORGOTTEN_ADDRESS } from './customer-subject.ts';

/**
 * `customers_profiles`: one row per registered customer with what a profile page and the
 * staff's list show: name, email, shipping address, credit limit and credit held by open
 * orders. Refusals change nothing here; they are in the stream for the saga. A forgotten
 * customer's row keeps its credit figures and shows its personal fields as forgotten, at
 * once (no rebuild needed) and after any rebuild (the events then open as forgotten).
 *
 * @example
 * openProcessors({ store, processors: [profilesProjection] });
 * const { tables } = await processors.readModel('customers_profiles');
 */
export const profilesProjection = defineProjection<
  RecordedEvent<CustomerEvent | PersonalDataForgotten>
>({
  name: 'customers_profiles',
  // 2: rows keyed by tenant.
  version: 2,
  events: [
    CustomerRegistered,
    CustomerRenamed,
    ShippingAddressChanged,
    CreditLimitSet,
    CreditReserved,
    CreditReleased,
    PersonalDataForgotten,
  ],
  async setup(tx, tables) {
    await tx.query(`
      CREATE TABLE ${tables.name('profiles')} (
        ${TENANT_COLUMN},
        customer_id text NOT NULL,
        name text NOT NULL,
        email text NOT NULL,
        shipping_address jsonb NOT NULL,
        credit_limit_cents bigint NOT NULL,
        reserved_cents bigint NOT NULL DEFAULT 0,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, customer_id)
      )`);
    await isolateTenantRows(tx, tables.name('profiles'));
  },
  async apply(tx, events, tables) {
    const profiles = tables.name('profiles');
    // One statement per event, in order, inside the batch's transaction.
    for (const event of events) {
      const at = event.metadata.timestamp;
      if (event.type === 'PersonalDataForgotten') {
        await tx.query(
          `UPDATE ${profiles} SET name = $2, email = $2, shipping_address = $3::text::jsonb, updated_at = $4
            WHERE customer_id = $1`,
          [
            customerIdOfSubject(event.data.subject),
            FORGOTTEN,
            JSON.stringify(FORGOTTEN_ADDRESS),
            at,
          ],
        );
        continue;
      }
      const { customerId } = event.data;
      const update = (set: string, value: unknown) =>
        tx.query(`UPDATE ${profiles} SET ${set}, updated_at = $3 WHERE customer_id = $1`, [
          customerId,
          value,
          at,
        ]);
      switch (event.type) {
        case 'CustomerRegistered': {
          const { name, email, shippingAddress, creditLimitCents } = event.data;
          await tx.query(
            `INSERT INTO ${profiles} (customer_id, name, email, shipping_address, credit_limit_cents, registered_at, updated_at)
             VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $6) ON CONFLICT (tenant, customer_id) DO NOTHING`,
            [customerId, name, email, JSON.stringify(shippingAddress), creditLimitCents, at],
          );
          break;
        }
        case 'CustomerRenamed':
          await update('name = $2', event.data.name);
          break;
        case 'ShippingAddressChanged':
          await update(
            'shipping_address = $2::text::jsonb',
            JSON.stringify(event.data.shippingAddress),
          );
          break;
        case 'CreditLimitSet':
          await update('credit_limit_cents = $2', event.data.creditLimitCents);
          break;
        case 'CreditReserved':
          await update('reserved_cents = reserved_cents + $2', event.data.amountCents);
          break;
        case 'CreditReleased':
          await update('reserved_cents = reserved_cents - $2', event.data.amountCents);
          break;
      }
    }
  },
});
