import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import type { AppService } from '../../domain/apps/app.service.js';
import { AppError, ERRORS } from '../../domain/errors.js';
import { sameToken } from '../../domain/console/sign-in.service.js';
import type { PoolRepository } from '../../domain/ports/pool-repository.port.js';
import type { Repositories } from '../../domain/ports/repositories.port.js';
import type { PoolService } from '../../domain/pools/pool.service.js';
import type { SessionService } from '../../domain/sessions/session.service.js';
import type { ConsoleServices } from '../../domain/console/console-services.js';
import { toAppError } from '../error-handler.js';
import { clearCookie, CONSOLE_PREFIX, type Form, SESSION_COOKIE, safeNext } from './console-request.js';
import { html } from './html.js';
import { page } from './views/layout.js';
import { accountRoutes } from './routes/account.routes.js';
import { appsRoutes } from './routes/apps.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { poolsRoutes } from './routes/pools.routes.js';
import { reviewRoutes } from './routes/reviews.routes.js';
import { sessionsRoutes } from './routes/sessions.routes.js';
import { signInRoutes } from './routes/sign-in.routes.js';
import { tryRoutes } from './routes/try.routes.js';
import { usersRoutes } from './routes/users.routes.js';

export interface ConsoleDeps {
  config: Config;
  console: ConsoleServices;
  repos: Repositories;
  poolRepo: PoolRepository;
  pools: PoolService;
  sessions: SessionService;
  apps: AppService;
}

// The operator console under /console: server-rendered pages, no script at all, one stylesheet of its own
// origin. It authenticates by its own cookie (path /console, HttpOnly, SameSite=Strict, Secure over https)
// and never by an API signature; the API never reads this cookie. Every POST carries the session's CSRF token.

export const CONSOLE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the console's own form posts,
  // and the origin check below needs the real one.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  // Pages show personal and biometric data: never cached, by the browser or anything in between.
  'cache-control': 'no-store',
};

const PUBLIC = [/^\/console\/login$/, /^\/console\/sso\/(start|callback)$/, /^\/console\/assets\//];
const FORM_LIMIT = 64 * 1024;

const here = dirname(fileURLToPath(import.meta.url));
const CSS = readFileSync(join(here, 'views', 'console.css'));
const CSS_ETAG = `"${createHash('sha256').update(CSS).digest('base64url').slice(0, 22)}"`;

function parseForm(body: string): Form {
  const form: Form = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prior = form[key];
    form[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return form;
}

export async function consolePlugin(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;
  await app.register(cookie);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => done(null, parseForm(body as string)),
  );
  // Console routes stay out of the API's OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(HEADERS);
    const path = request.url.split('?')[0]!;
    const resolved = await c.signIns.resolve(request.cookies[SESSION_COOKIE]);
    if (resolved?.user) {
      request.consoleUser = resolved.user;
      request.consoleSession = resolved.session;
    } else if (request.cookies[SESSION_COOKIE]) {
      clearCookie(reply, SESSION_COOKIE);
    }
    if (PUBLIC.some((p) => p.test(path))) return;
    if (!request.consoleUser) {
      if (request.method === 'GET' || request.method === 'HEAD')
        return reply.redirect(`${CONSOLE_PREFIX}/login?next=${encodeURIComponent(safeNext(request.url))}`, 303);
      throw new AppError('UNAUTHORIZED', 'Sign in first');
    }
    if (request.consoleUser.mustChangePassword && !/^\/console\/(account\/password|logout)$/.test(path)) {
      if (request.method === 'GET') return reply.redirect(`${CONSOLE_PREFIX}/account/password`, 303);
      throw new AppError('FORBIDDEN', 'Choose a new password first');
    }
  });

  // CSRF: every state-changing request carries the token of its sign-in session (the login form: of its pending
  // sign-in, checked by the sign-in route). A request from another origin is refused whatever it carries.
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const from = request.headers.origin;
    if (from && from !== `${request.protocol}://${request.host}`)
      throw new AppError('FORBIDDEN', 'Cross-origin request refused');
    if (request.url.split('?')[0] === `${CONSOLE_PREFIX}/login`) return;
    const token = (request.body as Form | undefined)?._csrf;
    const expected = request.consoleSession?.csrfToken;
    if (typeof token !== 'string' || !expected || !sameToken(token, expected))
      throw new AppError(
        'FORBIDDEN',
        'The form has expired or did not come from this console (CSRF token missing or wrong). Reload the page and try again.',
      );
  });

  app.setErrorHandler((error, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((request, reply) => renderError(new AppError('NOT_FOUND'), request, reply));

  app.get('/assets/console.css', async (request, reply) => {
    void reply.header('cache-control', 'no-cache').header('etag', CSS_ETAG);
    if (request.headers['if-none-match'] === CSS_ETAG) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(CSS);
  });
  app.get('/', async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/sessions`, 303));
  app.get('/login/', async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/login`, 303));

  // The options this plugin got carry its prefix; the route plugins inherit it and must not get it again.
  const { prefix: _mounted, ...shared } = deps as ConsoleDeps & { prefix?: string };
  for (const routes of [
    signInRoutes,
    accountRoutes,
    sessionsRoutes,
    reviewRoutes,
    poolsRoutes,
    appsRoutes,
    usersRoutes,
    auditRoutes,
    tryRoutes,
  ]) {
    await app.register(routes, shared);
  }
}

/** Errors as a page (the API's JSON shape would mean nothing to a person); the status code is the API's. */
function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const known = toAppError(error);
  if (!known) request.log.error({ err: error }, 'console error');
  const status = known?.status ?? 500;
  const message = known?.message ?? ERRORS.INTERNAL_ERROR.message;
  const details = known?.errors?.length
    ? html`<ul>${known.errors.map((e) => html`<li><code>${e.property}</code>: ${e.message}</li>`)}</ul>`
    : '';
  const body = html`<p class="notice error" role="alert">${message}</p>${details}<p><a href="/console/">Back to the console</a></p>`;
  const title =
    status === 404
      ? 'Not found'
      : status === 403
        ? 'Not allowed'
        : status === 401
          ? 'Sign in first'
          : status >= 500
            ? 'Something went wrong'
            : 'Request refused';
  return reply
    .status(status)
    .headers(HEADERS)
    .type('text/html; charset=utf-8')
    .send(
      page(
        { user: request.consoleUser ?? null, csrf: request.consoleSession?.csrfToken ?? '', path: request.url },
        title,
        body,
      ),
    );
}
