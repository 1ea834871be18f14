import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { ConsoleUser } from '../../../domain/console/console-user.types.js';
import { sameToken } from '../../../domain/console/sign-in.service.js';
import type { ConsoleDeps } from '../console.plugin.js';
import {
  actor,
  clearCookie,
  CONSOLE_PREFIX,
  field,
  origin,
  param,
  PENDING_COOKIE,
  SESSION_COOKIE,
  safeNext,
  setCookie,
} from '../console-request.js';
import { html } from '../html.js';
import { notice, page } from '../views/layout.js';

const FAILED =
  'Sign-in failed: wrong name or password, or the account is locked or disabled. After repeated failures an account is locked for a while.';

export async function signInRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c, config } = deps;
  const secureAlways = config.console.secureCookies === 'always';

  /** A fresh pending sign-in (its CSRF token goes in the form) on every visit of the form. */
  const loginPage = async (request: FastifyRequest, reply: FastifyReply, status: number, message?: string) => {
    const { token, session } = await c.signIns.startPending(request.ip);
    setCookie(reply, request, PENDING_COOKIE, token, { secureAlways, lax: true, maxAgeSec: 600 });
    const next = safeNext(param(request.query, 'next', 500) ?? field(request.body, 'next', 500));
    const sso = c.sso
      ? html`<p><a class="button secondary" href="/console/sso/start?next=${encodeURIComponent(next)}">Sign in with ${c.sso.name}</a></p>`
      : '';
    const body = html`${message ? notice('error', message) : ''}
      <form class="stack" method="post" action="/console/login">
        <input type="hidden" name="_csrf" value="${session.csrfToken}"><input type="hidden" name="next" value="${next}">
        <label>User name <input name="username" autocomplete="username" required maxlength="128"></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
        <div><button type="submit">Sign in</button></div>
      </form>${sso}`;
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(page({ user: null, csrf: '', path: '/console/login' }, 'Sign in', body));
  };

  /** A new session token for the user (never the one the browser came with), and the pending sign-in ended. */
  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: ConsoleUser) => {
    await c.signIns.end(request.cookies[PENDING_COOKIE]);
    const { token } = await c.signIns.signIn(user, request.ip, request.cookies[SESSION_COOKIE]);
    setCookie(reply, request, SESSION_COOKIE, token, { secureAlways });
    clearCookie(reply, PENDING_COOKIE);
    await c.audit.record({ name: user.username, ip: request.ip }, 'signin', {
      detail: request.url.startsWith(`${CONSOLE_PREFIX}/sso`) ? 'single sign-on' : 'password',
    });
  };

  app.get('/login', async (request, reply) =>
    request.consoleUser
      ? reply.redirect(safeNext(param(request.query, 'next', 500)), 303)
      : loginPage(request, reply, 200),
  );

  app.post('/login', async (request, reply) => {
    const pending = await c.signIns.resolve(request.cookies[PENDING_COOKIE]);
    const token = field(request.body, '_csrf');
    if (!pending || pending.user || !token || !sameToken(token, pending.session.csrfToken)) {
      throw new AppError(
        'FORBIDDEN',
        'The sign-in form has expired or did not come from this console (CSRF token missing or wrong). Reload the page and try again.',
      );
    }
    const username = field(request.body, 'username', 128);
    const result = await c.users.signIn(username, field(request.body, 'password', 1024));
    if (!result.ok) {
      const known = await c.users.require(username).catch(() => null);
      await c.audit.record({ name: known ? known.username : 'anonymous', ip: request.ip }, 'signin.failed', {
        detail: result.reason,
      });
      await c.signIns.end(request.cookies[PENDING_COOKIE]);
      return loginPage(request, reply, 401, FAILED);
    }
    await startSession(request, reply, result.user);
    return reply.redirect(safeNext(field(request.body, 'next', 500)), 303);
  });

  app.post('/logout', async (request, reply) => {
    await c.signIns.end(request.cookies[SESSION_COOKIE]);
    clearCookie(reply, SESSION_COOKIE);
    await c.audit.record(actor(request), 'signout');
    return reply.redirect(`${CONSOLE_PREFIX}/login`, 303);
  });

  const redirectUri = (request: FastifyRequest) =>
    config.console.oidc?.redirectUrl ?? `${origin(request)}${CONSOLE_PREFIX}/sso/callback`;

  app.get('/sso/start', async (request, reply) => {
    if (!c.sso) throw new AppError('NOT_FOUND', 'Single sign-on is not configured');
    const { url, pending } = await c.sso.start(redirectUri(request));
    const next = safeNext(param(request.query, 'next', 500));
    const { token } = await c.signIns.startPending(request.ip, { ...pending, next });
    setCookie(reply, request, PENDING_COOKIE, token, { secureAlways, lax: true, maxAgeSec: 600 });
    return reply.redirect(url, 303);
  });

  app.get('/sso/callback', async (request, reply) => {
    if (!c.sso) throw new AppError('NOT_FOUND', 'Single sign-on is not configured');
    const pending = await c.signIns.resolve(request.cookies[PENDING_COOKIE]);
    const data = pending && !pending.user ? pending.session.data : null;
    if (!data?.state || !data.nonce || !data.codeVerifier)
      throw new AppError('FORBIDDEN', 'This sign-in has expired or was not started here. Start again.');
    const callback = new URL(redirectUri(request));
    callback.search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let identity;
    try {
      identity = await c.sso.finish(callback, {
        state: data.state,
        nonce: data.nonce,
        codeVerifier: data.codeVerifier,
      });
    } catch (err) {
      request.log.info({ err }, 'single sign-on refused');
      await c.audit.record({ name: 'anonymous', ip: request.ip }, 'signin.failed', {
        detail: 'single sign-on response refused',
      });
      throw new AppError('UNAUTHORIZED', 'The single sign-on response could not be verified. Start again.');
    }
    const result = await c.users.signInWithIdentity(identity, config.console.oidc?.autoCreateRole ?? null);
    if (!result.ok) {
      await c.audit.record({ name: 'anonymous', ip: request.ip }, 'signin.failed', {
        detail: `single sign-on: ${result.reason}`,
        target: identity.email ?? identity.subject,
      });
      throw new AppError(
        'FORBIDDEN',
        'Signed in with the provider, but no console user is linked to this identity. Ask an administrator.',
      );
    }
    await startSession(request, reply, result.user);
    // The session cookie is SameSite=Strict and this response ends a cross-site redirect chain, so the browser
    // would not send it on a redirect; a same-site navigation from this page does.
    const next = safeNext(data.next);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          { user: null, csrf: '', path: '' },
          'Signed in',
          html`<meta http-equiv="refresh" content="0;url=${next}"><p><a href="${next}">Continue to the console</a></p>`,
        ),
      );
  });
}
