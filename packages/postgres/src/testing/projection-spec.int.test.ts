import { defineEvent, defineProjection } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectionSpec } from './projection-spec.ts';

const OrderPlaced = defineEvent('OrderPlaced', z.object({ total: z.number() }));
const orderTotals = defineProjection({
  name: 'order_totals',
  events: [OrderPlaced, 'OrderCancelled'],
  async setup(tx, tables) {
    await tx.query(
      `CREATE TABLE ${tables.name('orders')} (id text PRIMARY KEY, total integer, cancelled boolean)`,
    );
  },
  async apply(tx, events, tables) {
    for (const event of events) {
      if (event.type === 'OrderPlaced') {
        await tx.query(`INSERT INTO ${tables.name('orders')} VALUES ($1, $2, false)`, [
          event.stream,
          (event.data as { total: number }).total,
        ]);
      } else {
        await tx.query(`UPDATE ${tables.name('orders')} SET cancelled = true WHERE id = $1`, [
          event.stream,
        ]);
      }
    }
  },
});

describe('projectionSpec', () => {
  it('given events as { type, data }, when thenRows, then the rows of the read model are compared', async () => {
    await projectionSpec(orderTotals)
      .given([
        { type: 'OrderPlaced', data: { total: 30 }, stream: 'order-1' },
        { type: 'OrderPlaced', data: { total: 12 }, stream: 'order-2' },
        { type: 'Ignored', data: {}, stream: 'order-2' },
        { type: 'OrderCancelled', data: {}, stream: 'order-2' },
      ])
      .thenRows(
        (t) => `SELECT id, total, cancelled FROM ${t.name('orders')} ORDER BY id`,
        [
          { id: 'order-1', total: 30, cancelled: false },
          { id: 'order-2', total: 12, cancelled: true },
        ],
      );
  });

  it('given events, when then(check), then check gets the tables and a query function', async () => {
    const count = await projectionSpec(orderTotals)
      .given([{ type: 'OrderPlaced', data: { total: 1 } }])
      .then(async (tables, query) => {
        const rows = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${tables.name('orders')}`,
        );
        expect(tables.name('orders')).toMatch(/"order_totals_v1__orders"$/);
        return rows[0]?.n;
      });
    expect(count).toBe(1);
  });

  it('given rows that differ, when thenRows, then it throws an AssertionError', async () => {
    await expect(
      projectionSpec(orderTotals)
        .given([{ type: 'OrderPlaced', data: { total: 5 }, stream: 'order-9' }])
        .thenRows((t) => `SELECT id FROM ${t.name('orders')}`, [{ id: 'order-8' }]),
    ).rejects.toMatchObject({ name: 'AssertionError' });
  });

  it('given a spec awaited without then, then it rejects with a hint', async () => {
    await expect(
      (async () => await (projectionSpec(orderTotals).given([]) as unknown as Promise<unknown>))(),
    ).rejects.toThrow('not a promise');
  });
});
