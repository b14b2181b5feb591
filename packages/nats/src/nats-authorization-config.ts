import { ValidationError } from '@duet/core';
import type { NatsPermissions } from './nats-service-permissions.ts';

/** One user of `natsAuthorizationConfig`. */
export interface NatsUser {
  readonly user: string;
  /** The password itself, or the environment variable nats-server reads it from (`{ env: 'NATS_PASSWORD_ORDERS' }`). */
  readonly password: string | { readonly env: string };
  readonly permissions: NatsPermissions;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The nats-server `authorization { users = [...] }` block for these users, to include in
 * the server's config file (`include ./duet-users.conf`). Subjects are quoted, so `$JS...`
 * is never read as a variable; an `{ env }` password is left unquoted, so it is.
 *
 * @example
 * writeFileSync('duet-users.conf', natsAuthorizationConfig([{ user: 'orders', password: { env: 'NATS_PASSWORD_ORDERS' },
 *   permissions: natsServicePermissions({ service: 'orders', ... }) }]));
 */
export function natsAuthorizationConfig(users: readonly NatsUser[]): string {
  const seen = new Set<string>();
  const lines = ['authorization {', '  users = ['];
  for (const { user, password, permissions } of users) {
    if (typeof user !== 'string' || user.length === 0 || seen.has(user)) {
      throw new ValidationError('nats users', [
        { path: [String(user)], message: 'expected a non-empty user name, once' },
      ]);
    }
    seen.add(user);
    let secret: string;
    if (typeof password === 'string') secret = JSON.stringify(password);
    else if (envName.test(password?.env ?? '')) secret = `$${password.env}`;
    else {
      throw new ValidationError(`nats user ${user}`, [
        { path: ['password'], message: 'expected a string or { env: NAME }' },
      ]);
    }
    // nats-server reads an empty allow list as no restriction at all (seen on 2.9.10).
    for (const kind of ['publish', 'subscribe'] as const) {
      const allow = permissions?.[kind]?.allow;
      if (!Array.isArray(allow) || allow.length === 0) {
        throw new ValidationError(`nats user ${user}`, [
          {
            path: ['permissions', kind, 'allow'],
            message: 'expected at least one subject: an empty allow list allows everything',
          },
        ]);
      }
    }
    const list = (subjects: readonly string[]) =>
      subjects.map((s) => `        ${JSON.stringify(s)}`).join('\n');
    lines.push(
      '    {',
      `      user: ${JSON.stringify(user)}`,
      `      password: ${secret}`,
      '      permissions: {',
      '        publish: { allow: [',
      list(permissions.publish.allow),
      '        ] }',
      '        subscribe: { allow: [',
      list(permissions.subscribe.allow),
      '        ] }',
      '      }',
      '    }',
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
