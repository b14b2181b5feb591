import type { Principal } from '@duet/http';

/**
 * The API keys the shop accepts: `SHOP_API_KEYS` as JSON
 * (`{"<key>": {"id": "ada", "tenant": "shop", "roles": ["customer"]}}`), else demo keys
 * for the two demo tenants (`shop`: two customers and a member of staff; `outlet`: one
 * of each), printed at start so the docs page can be tried at once. A key without a
 * tenant is refused (403 `tenant-required`) by every operation that reads or writes data.
 */
export function shopPrincipals(env: NodeJS.ProcessEnv = process.env): Record<string, Principal> {
  const configured = env.SHOP_API_KEYS;
  if (configured) {
    const parsed: unknown = JSON.parse(configured);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('SHOP_API_KEYS must be a JSON object of key → { id, roles }');
    }
    return parsed as Record<string, Principal>;
  }
  return {
    'demo-ada': { id: 'ada', tenant: 'shop', roles: ['customer'] },
    'demo-bob': { id: 'bob', tenant: 'shop', roles: ['customer'] },
    'demo-staff': { id: 'sam', tenant: 'shop', roles: ['staff'] },
    // The second demo tenant (DEMO_TENANTS): its own customers, products and orders.
    'demo-cy': { id: 'cy', tenant: 'outlet', roles: ['customer'] },
    'demo-outlet-staff': { id: 'olu', tenant: 'outlet', roles: ['staff'] },
  };
}
