import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { HttpProblem } from '../problems/http-problem.ts';
import { type Authenticate, isPrincipal, type Principal } from './principal.ts';

/** Where the plugin keeps each request's principal (a WeakMap: no request decoration). */
export type Principals = WeakMap<FastifyRequest, Principal>;

/**
 * The two onRequest hooks of a protected route: `identify` finds the principal (before
 * rate limiting, which counts per principal), `require` refuses requests without one
 * (after rate limiting, so guessing credentials is rate limited too).
 *
 * @example
 * const hooks = authenticationHooks({ authenticate, required: true, principals });
 * app.post('/x', { onRequest: [hooks.identify, limiter, hooks.require] }, handler);
 */
export function authenticationHooks(options: {
  readonly authenticate: Authenticate | undefined;
  readonly required: boolean;
  readonly principals: Principals;
}): { identify: onRequestAsyncHookHandler; require: onRequestAsyncHookHandler } {
  const { authenticate, required, principals } = options;
  const challenge = authenticate?.challenge ?? 'Bearer';
  return {
    async identify(request) {
      if (!authenticate) return;
      const principal = await authenticate(request);
      if (principal === null) return;
      if (!isPrincipal(principal)) {
        throw new TypeError('authenticate returned something that is not a Principal');
      }
      principals.set(request, principal);
    },
    async require(request) {
      if (!required || principals.has(request)) return;
      throw new HttpProblem('unauthenticated', 'send valid credentials', {
        headers: { 'www-authenticate': challenge },
      });
    },
  };
}
