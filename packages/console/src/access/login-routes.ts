import type { FastifyInstance } from 'fastify';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { page } from '../html/layout.ts';
import { principalOfCredential } from './console-access.ts';
import { SESSION_COOKIE, sealSession } from './console-session.ts';

/** The login form, shown with a 401 to a browser that has no session. */
export function loginPage(base: string, message?: string) {
  return page(
    { base, viewer: null },
    'Log in',
    html`<h1>Log in</h1>
${message ? html`<p class="notice error">${message}</p>` : ''}
<form class="search" method="post" action="${base}/login">
  <input type="password" name="credential" placeholder="API key or token" aria-label="API key or token" autocomplete="off" required>
  <button type="submit">Log in</button>
</form>
<p class="muted">The same credential the API takes (e.g. the demo key <code>demo-staff</code> that <code>npm start</code> prints).</p>`,
  );
}

/**
 * `POST <base>/login` checks a credential with `authenticate` and sets the session cookie
 * (HttpOnly, SameSite=Strict, scoped to the console's path); `POST <base>/logout` clears
 * it (behind the CSRF check, as every other POST).
 */
export function registerLoginRoutes(app: FastifyInstance, options: ResolvedConsoleOptions): void {
  const base = app.prefix;
  app.post<{ Body: { credential?: unknown } }>('/login', async (request, reply) => {
    const credential = request.body?.credential;
    const principal =
      typeof credential === 'string' && credential.length > 0 && credential.length <= 4096
        ? await principalOfCredential(options.authenticate, credential)
        : null;
    const allowed =
      principal?.roles.includes(options.staffRole) || principal?.roles.includes(options.viewerRole);
    if (!principal || !allowed) {
      return reply
        .code(principal ? 403 : 401)
        .type('text/html; charset=utf-8')
        .send(
          String(
            loginPage(base, principal ? 'That key has no console role.' : 'Unknown credential.'),
          ),
        );
    }
    const expiresAt = options.now().getTime() + options.sessionMs;
    reply.setCookie(SESSION_COOKIE, sealSession(options.secret, principal, expiresAt), {
      path: base || '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      expires: new Date(expiresAt),
    });
    return reply.redirect(`${base}/streams`, 303);
  });
}
