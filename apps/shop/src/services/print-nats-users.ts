import { shopNatsUsersConfig } from './shop-nats-users.ts';

// Prints the shop's NATS users for nats-server (docs/nats.md):
//   npm run nats-users --workspace apps/shop -- [--namespace staging] [--no-tenant-subjects]
//     [--shared-dead-letters]
const args = process.argv.slice(2);
const at = args.indexOf('--namespace');
const namespace = at >= 0 ? args[at + 1] : undefined;
if (at >= 0 && !/^[a-z][a-z0-9_]{0,30}$/.test(namespace ?? '')) {
  process.stderr.write('--namespace: expected a lower-case name of letters, digits and _\n');
  process.exit(2);
}
process.stdout.write(
  shopNatsUsersConfig({
    ...(namespace ? { namespace } : {}),
    tenantSubjects: !args.includes('--no-tenant-subjects'),
    deadLetters: args.includes('--shared-dead-letters') ? 'shared' : 'per-service',
  }),
);
