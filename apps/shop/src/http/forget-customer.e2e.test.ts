import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  askQuery,
  expectProblem,
  postJson,
  sendCommand,
} from '../../test-support/shop-client.ts';
import {
  type OneProcessShopServer,
  shopBackends,
  startOneProcessShop,
} from '../../test-support/shop-test-server.ts';

// Issue 13, section 3: `ForgetCustomer`, the staff's HTTP operation, on the whole shop.

const rita = as('key-rita');
const staff = as('demo-staff');
const address = { line1: '9 Via Roma', city: 'Torino', postalCode: '10121', country: 'IT' };

describe.each(shopBackends().filter((b) => b.kind === 'pglite'))(
  'ForgetCustomer over HTTP on $kind',
  ({ kind, available }) => {
    let server: OneProcessShopServer;
    beforeAll(async () => {
      if (available) server = await startOneProcessShop(kind);
    }, 120_000);
    afterAll(async () => {
      if (available) await server.close();
    });

    it.skipIf(!available)(
      'given a registered customer, when staff forget her, then her profile reads as forgotten, her own writes of personal data are 410, and a second forget changes nothing',
      { timeout: 90_000 },
      async () => {
        const { url } = server;
        const forget = (customerId: string, who = staff) =>
          postJson(`${url}/commands/ForgetCustomer`, { customerId }, who);
        await sendCommand(
          url,
          'RegisterCustomer',
          {
            customerId: 'rita',
            name: 'Rita Rossi',
            email: 'rita@example.com',
            shippingAddress: address,
          },
          rita,
        );
        await expectProblem(await forget('rita', rita), 403, 'forbidden');
        await expectProblem(await forget('nobody'), 404, 'not-found');
        await expectProblem(
          await postJson(`${url}/commands/ForgetCustomer`, { customerId: 'rita', why: 'x' }, staff),
          400,
          'validation',
        );

        const first = await sendCommand(url, 'ForgetCustomer', { customerId: 'rita' }, staff);
        expect(first.stream).toBe('personal_data-customer-rita');
        const again = await sendCommand(url, 'ForgetCustomer', { customerId: 'rita' }, staff);
        expect(again.position).toBe(first.position);

        const profile = await askQuery<{ name: string; email: string; creditLimitCents: number }>(
          url,
          'GetMyProfile',
          { minPosition: first.position },
          rita,
        );
        expect(profile).toMatchObject({ name: '[forgotten]', email: '[forgotten]' });
        expect(profile.creditLimitCents).toBeGreaterThan(0);
        await expectProblem(
          await postJson(`${url}/commands/RenameCustomer`, { customerId: 'rita', name: 'R' }, rita),
          410,
          'personal-data-forgotten',
        );
      },
    );
  },
);
