import type { Principal } from '@duet/http';

/**
 * The API keys the shop accepts: `SHOP_API_KEYS` as JSON
 * (`{"<key>": {"id": "ada", "roles": ["customer"]}}`), else demo keys for two customers
 * and a member of staff, printed at start so the docs page can be tried at once.
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
  };
}
