import type { FastifyInstance } from 'fastify';
import { AppError, validationError } from '../../../domain/errors.js';
import { ConsoleUserService, MIN_PASSWORD_LENGTH } from '../../../domain/console/console-user.service.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, CONSOLE_PREFIX, field, SESSION_COOKIE, setCookie, user } from '../console-request.js';
import { html } from '../html.js';
import { csrfField, notice, page } from '../views/layout.js';

export async function accountRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  app.get('/account/password', async (request, reply) => {
    const u = user(request);
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: request.url };
    const body = html`${u.mustChangePassword ? notice('info', 'Your password was set for one use only: choose your own to continue.') : ''}
      ${u.passwordHash ? '' : notice('info', 'You sign in with single sign-on; setting a password also allows password sign-in.')}
      <form class="stack" method="post" action="/console/account/password">${csrfField(ctx)}
        <input name="username" autocomplete="username" value="${u.username}" hidden readonly>
        ${u.passwordHash ? html`<label>Current password <input name="current" type="password" autocomplete="current-password" required></label>` : ''}
        <label>New password (at least ${MIN_PASSWORD_LENGTH} characters) <input name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}"></label>
        <label>New password again <input name="confirm" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}"></label>
        <div><button type="submit">Set password</button></div></form>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Change password', body));
  });

  app.post('/account/password', async (request, reply) => {
    const u = user(request);
    const password = field(request.body, 'password', 1024);
    if (password !== field(request.body, 'confirm', 1024))
      throw validationError([{ property: 'confirm', message: 'does not match the new password' }]);
    ConsoleUserService.checkPassword(password);
    if (u.passwordHash) {
      const check = await c.users.signIn(u.username, field(request.body, 'current', 1024));
      if (!check.ok) throw new AppError('FORBIDDEN', 'The current password is wrong');
    }
    await c.users.setPassword(u, password);
    // Every other session of this user ends; this browser gets a new one.
    await c.signIns.endAll(u.id);
    const { token } = await c.signIns.signIn({ ...u, mustChangePassword: false }, request.ip);
    setCookie(reply, request, SESSION_COOKIE, token, { secureAlways: deps.config.console.secureCookies === 'always' });
    await c.audit.record(actor(request), 'user.password', { target: u.username });
    return reply.redirect(`${CONSOLE_PREFIX}/sessions`, 303);
  });
}
