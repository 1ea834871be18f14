import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { oneTimePassword } from '../../../domain/console/console-user.service.js';
import type { ConsoleUser, Role } from '../../../domain/console/console-user.types.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, field, fields, requirePermission } from '../console-request.js';
import { html, iso, type SafeHtml } from '../html.js';
import { csrfField, notice, page, type PageContext } from '../views/layout.js';

export async function usersRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  const render = async (request: FastifyRequest, message?: SafeHtml) => {
    const u = requirePermission(request, 'manageUsers');
    const ctx: PageContext = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/users' };
    const [users, apps] = await Promise.all([c.users.list(), deps.apps.list()]);
    const name = (id: string) => apps.find((a) => a.sdkId === id)?.name ?? id;
    const act = (x: ConsoleUser, path: string, label: string, cls = 'secondary') =>
      html`<form method="post" action="/console/users/${encodeURIComponent(x.id)}/${path}">${csrfField(ctx)}<button type="submit" class="${cls}">${label}<span class="sr-only"> ${x.username}</span></button></form>`;
    return page(
      ctx,
      'Users',
      html`${message ?? ''}<table><thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Apps</th><th scope="col">Sign-in</th><th scope="col">Status</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr></thead>
      <tbody>${users.map(
        (
          x,
        ) => html`<tr><td>${x.username}</td><td>${x.role}</td><td>${x.allApps ? 'all apps' : x.appIds.map(name).join(', ') || 'none'}</td>
          <td>${[x.passwordHash ? 'password' : '', x.oidcSubject ? 'single sign-on' : ''].filter(Boolean).join(', ')}</td>
          <td>${x.disabledAt ? 'disabled' : x.lockedUntil && x.lockedUntil > Date.now() ? `locked until ${iso(x.lockedUntil)}` : 'active'}</td><td>${iso(x.lastLoginAt)}</td>
          <td>${x.id === u.id ? '' : html`${x.disabledAt ? act(x, 'enable', 'Enable') : act(x, 'disable', 'Disable', 'danger')} ${act(x, 'reset-password', 'Reset password')}`}</td></tr>`,
      )}</tbody></table>
      <h2>Add a user</h2>
      <form class="stack" method="post" action="/console/users">${csrfField(ctx)}
        <label>User name (or the email of a single sign-on user) <input name="username" required maxlength="128"></label>
        <label>Role <select name="role"><option value="viewer">viewer: looks only</option><option value="reviewer">reviewer: decides reviews, edits pools</option><option value="admin">admin: everything</option></select></label>
        <fieldset><legend>Apps this user may see (admins see all)</legend>${apps.map((a) => html`<label><input type="checkbox" name="apps" value="${a.sdkId}"> ${a.name} <span class="muted id">${a.sdkId}</span></label>`)}</fieldset>
        <div><button type="submit">Add user</button></div>
        <p class="muted">A one-time password is shown after adding; the user chooses their own at first sign-in.</p></form>`,
    );
  };

  const target = async (id: string) => {
    const x = id.length <= 200 ? await c.users.get(id) : null;
    if (!x) throw new AppError('NOT_FOUND', 'No console user with this id');
    return x;
  };

  app.get('/users', async (request, reply) => reply.type('text/html; charset=utf-8').send(await render(request)));

  app.post('/users', async (request, reply) => {
    requirePermission(request, 'manageUsers');
    const password = oneTimePassword();
    const created = await c.users.create({
      username: field(request.body, 'username', 128),
      role: field(request.body, 'role', 20) as Role,
      password,
      appIds: fields(request.body, 'apps'),
      temporary: true,
    });
    await c.audit.record(actor(request), 'user.create', {
      target: created.username,
      detail: { role: created.role, apps: created.allApps ? 'all' : created.appIds },
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        await render(
          request,
          notice(
            'success',
            html`Added <strong>${created.username}</strong>. One-time password: <code>${password}</code> (shown once).`,
          ),
        ),
      );
  });

  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/users/:id/${path}`, async (request, reply) => {
      const me = requirePermission(request, 'manageUsers');
      const x = await target(request.params.id);
      if (x.id === me.id) throw new AppError('CONFLICT', 'You cannot disable yourself');
      await c.users.setDisabled(x, disabled);
      if (disabled) await c.signIns.endAll(x.id);
      await c.audit.record(actor(request), `user.${path}`, { target: x.username });
      return reply
        .type('text/html; charset=utf-8')
        .send(await render(request, notice('success', `${x.username} is ${disabled ? 'disabled' : 'enabled'}.`)));
    });
  }

  app.post<{ Params: { id: string } }>('/users/:id/reset-password', async (request, reply) => {
    requirePermission(request, 'manageUsers');
    const x = await target(request.params.id);
    const password = oneTimePassword();
    await c.users.setPassword(x, password, true);
    await c.signIns.endAll(x.id);
    await c.audit.record(actor(request), 'user.reset_password', { target: x.username });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        await render(
          request,
          notice(
            'success',
            html`New one-time password for <strong>${x.username}</strong>: <code>${password}</code> (shown once).`,
          ),
        ),
      );
  });
}
