import type { Authenticate, Principal } from '@duet/http';
import type { FastifyRequest } from 'fastify';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { type ConsoleSession, csrfToken, openSession, SESSION_COOKIE } from './console-session.ts';

/** Who is looking, and what they may do. */
export interface ConsoleViewer {
  readonly principal: Principal;
  readonly session: ConsoleSession | null;
  /** False for the viewer role or a read-only console: pages show no action buttons. */
  readonly canAct: boolean;
  readonly csrf: string;
}

/**
 * The viewer of a request: credentials in a header (as the API takes them) first, then the
 * session cookie of the login form. 401 without either, 403 without the staff or viewer role.
 */
export async function identifyViewer(
  request: FastifyRequest,
  options: ResolvedConsoleOptions,
): Promise<ConsoleViewer> {
  let session: ConsoleSession | null = null;
  let principal = await options.authenticate(request);
  if (!principal) {
    const cookie = request.cookies[SESSION_COOKIE];
    session = cookie ? openSession(options.secret, cookie, options.now().getTime()) : null;
    principal = session?.principal ?? null;
  }
  if (!principal) throw new ConsoleHttpError(401, 'log in with a staff key to see the console');
  const isStaff = principal.roles.includes(options.staffRole);
  if (!isStaff && !principal.roles.includes(options.viewerRole)) {
    throw new ConsoleHttpError(403, `the console is for the ${options.staffRole} role`);
  }
  return {
    principal,
    session,
    canAct: isStaff && !options.readOnly,
    csrf: csrfToken(options.secret, session, principal),
  };
}

/**
 * The principal behind a credential typed into the login form: it is handed to
 * `authenticate` where the API would find it (the API-key header its security scheme
 * names, else `Authorization: Bearer`), so the form accepts exactly what the API accepts.
 */
export function principalOfCredential(
  authenticate: Authenticate,
  credential: string,
): Promise<Principal | null> {
  const scheme = authenticate.securityScheme as
    | { type?: string; in?: string; name?: string }
    | undefined;
  const headers =
    scheme?.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string'
      ? { [scheme.name.toLowerCase()]: credential }
      : { authorization: `Bearer ${credential}` };
  // authenticate reads only the headers of a request.
  return authenticate({ headers } as unknown as FastifyRequest);
}
