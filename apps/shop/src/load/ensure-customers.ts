import { setTimeout as sleep } from 'node:timers/promises';
import { replyProblem, type ShopHttp, type ShopReply } from './shop-http.ts';

/** A customer the workload orders as: its id and the API key that signs in as it. */
export interface LoadCustomer {
  readonly id: string;
  readonly apiKey: string;
}

// Orders only add up on a customer's credit (released only on cancellation), so a long
// run would hit the default limit: the staff key lifts it to the most the shop allows.
const CREDIT_LIMIT_CENTS = 1_000_000_000_000;

/**
 * Makes sure each customer is registered (registers the ones that are not) and can hold
 * a long run's orders on credit. Throws, naming the customer and the reply, when it
 * cannot.
 *
 * @example
 * await ensureCustomers(http, [{ id: 'ada', apiKey: 'demo-ada' }], 'demo-staff');
 */
export async function ensureCustomers(
  http: ShopHttp,
  customers: readonly LoadCustomer[],
  staffKey: string,
): Promise<void> {
  // One at a time, and a 5xx tried again: concurrent registrations once answered 500 on
  // PostgreSQL (seen in the bench's self-test); set-up is not what the run measures.
  for (const { id, apiKey } of customers) {
    let registered = await register(http, id, apiKey);
    for (let attempt = 1; registered.status >= 500 && attempt < 3; attempt++) {
      await sleep(200 * attempt);
      registered = await register(http, id, apiKey);
    }
    if (registered.status !== 200) {
      // Registered before (an earlier run, or demo data): its profile says so.
      const profile = await http.query('customers', 'GetMyProfile', {}, apiKey);
      if (profile.status !== 200) {
        throw new Error(
          `cannot register customer ${id}: RegisterCustomer ${replyProblem(registered)}, GetMyProfile ${replyProblem(profile)}`,
        );
      }
    }
    const limit = await http.command(
      'customers',
      'SetCreditLimit',
      { customerId: id, creditLimitCents: CREDIT_LIMIT_CENTS },
      staffKey,
    );
    if (limit.status !== 200) {
      throw new Error(`cannot lift ${id}'s credit limit: SetCreditLimit ${replyProblem(limit)}`);
    }
  }
}

function register(http: ShopHttp, id: string, apiKey: string): Promise<ShopReply> {
  return http.command(
    'customers',
    'RegisterCustomer',
    {
      customerId: id,
      name: `Load ${id}`,
      email: `${id}@load.duet.test`,
      shippingAddress: {
        line1: '1 Load Street',
        city: 'Testville',
        postalCode: '10001',
        country: 'SE',
      },
    },
    apiKey,
  );
}
