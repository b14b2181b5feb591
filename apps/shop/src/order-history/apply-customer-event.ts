import { FORGOTTEN, type IntegrationMessage } from '@duet/core';
import type { SqlTransaction } from '@duet/postgres';
import { FORGOTTEN_ADDRESS } from '../customers/customer-subject.ts';
import type { HistoryTables } from './history-tables.ts';
import { lockNames } from './names-lock.ts';

/**
 * Applies one customers message: the customer's name or address, kept in `customers`
 * for orders placed later, and written into every order row of the customer now (so a
 * rename shows on old orders too, and an order placed before the registration arrived
 * gets its name). `CustomerForgotten` replaces every copy of the customer's name and
 * address with the forgotten marker; messages opened after the forget arrive forgotten.
 */
export async function applyCustomerEvent(
  tx: SqlTransaction,
  t: HistoryTables,
  message: IntegrationMessage,
): Promise<void> {
  const data = message.data as { customerId: string | null; name?: string; address?: unknown };
  if (message.type === 'CustomerForgotten') {
    if (data.customerId === null) return; // a subject that is no customer
    await lockNames(tx, t.schema, 'change');
    const address = JSON.stringify(FORGOTTEN_ADDRESS);
    await tx.query(
      `INSERT INTO ${t.customers} AS c (customer_id, name, address) VALUES ($1, $2, $3::text::jsonb)
       ON CONFLICT (tenant, customer_id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address`,
      [data.customerId, FORGOTTEN, address],
    );
    await tx.query(
      `UPDATE ${t.orders} SET customer_name = $2, shipping_address = $3::text::jsonb WHERE customer_id = $1`,
      [data.customerId, FORGOTTEN, address],
    );
    return;
  }
  let column: 'name' | 'address';
  let value: string;
  switch (message.type) {
    case 'CustomerRegistered':
    case 'CustomerRenamed':
      column = 'name';
      value = data.name ?? '';
      break;
    case 'ShippingAddressChanged':
      column = 'address';
      value = JSON.stringify(data.address);
      break;
    default:
      return;
  }
  const cast = column === 'address' ? '::text::jsonb' : '';
  const orderColumn = column === 'address' ? 'shipping_address' : 'customer_name';
  await lockNames(tx, t.schema, 'change');
  await tx.query(
    `INSERT INTO ${t.customers} AS c (customer_id, ${column}) VALUES ($1, $2${cast})
     ON CONFLICT (tenant, customer_id) DO UPDATE SET ${column} = EXCLUDED.${column}`,
    [data.customerId, value],
  );
  // updated_at stays: it is when the order changed, and the pages do not sort by it.
  await tx.query(`UPDATE ${t.orders} SET ${orderColumn} = $2${cast} WHERE customer_id = $1`, [
    data.customerId,
    value,
  ]);
}
