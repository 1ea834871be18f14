import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppRecord } from '../../../domain/ports/repositories.port.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, field, requirePermission } from '../console-request.js';
import { html, iso, type SafeHtml } from '../html.js';
import { csrfField, notice, page, type PageContext } from '../views/layout.js';

/**
 * Framing origins (which sites may embed the capture page) arrive with the apps' `frame_ancestors` field on
 * another branch (issue 21): render and edit them here, beside the webhook secret.
 */
function framingOriginsSection(_app: AppRecord): SafeHtml {
  return html`<span class="muted">not configurable yet</span>`;
}

export async function appsRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  const render = async (request: FastifyRequest, message?: SafeHtml) => {
    const u = requirePermission(request, 'manageApps');
    const ctx: PageContext = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/apps' };
    const apps = await deps.apps.list();
    const action = (a: AppRecord, path: string, label: string, cls = 'secondary') =>
      html`<form method="post" action="/console/apps/${encodeURIComponent(a.sdkId)}/${path}">${csrfField(ctx)}<button type="submit" class="${cls}">${label}<span class="sr-only"> for ${a.name}</span></button></form>`;
    return page(
      ctx,
      'Apps',
      html`${message ?? ''}
      <table><thead><tr><th scope="col">Name</th><th scope="col">SDK id</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Framing origins</th><th scope="col">Actions</th></tr></thead>
      <tbody>${apps.map(
        (a) => html`<tr><td>${a.name}</td><td class="id">${a.sdkId}</td><td>${iso(a.createdAt)}</td><td>${a.revokedAt ? `revoked ${iso(a.revokedAt)}` : 'active'}</td>
          <td>${framingOriginsSection(a)}</td>
          <td>${a.revokedAt ? '' : html`${action(a, 'rotate-key', 'Rotate key')} ${action(a, 'rotate-webhook-secret', 'Rotate webhook secret')} ${action(a, 'revoke', 'Revoke', 'danger')}`}</td></tr>`,
      )}</tbody></table>
      <h2>Create an app</h2><form class="filters" method="post" action="/console/apps">${csrfField(ctx)}
        <label>Name <input name="name" required maxlength="200"></label><button type="submit">Create</button></form>
      <p class="muted">Webhook endpoints are set per session in its <code>notifications</code>; each app signs its webhooks with its own secret.</p>`,
    );
  };

  const keyNotice = (title: string, a: { sdkId: string }, secret: string, what: string) =>
    notice(
      'success',
      html`${title} <strong class="id">${a.sdkId}</strong>. Copy the ${what} now: it is shown once and not stored.
      <label>${what} <textarea class="key" readonly>${secret}</textarea></label>`,
    );

  app.get('/apps', async (request, reply) => reply.type('text/html; charset=utf-8').send(await render(request)));

  app.post('/apps', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const { app: created, privateKeyPem } = await deps.apps.create(field(request.body, 'name', 200));
    await c.audit.record(actor(request), 'app.create', { appId: created.sdkId, detail: { name: created.name } });
    return reply.type('text/html; charset=utf-8').send(await render(request, keyNotice('Created app', created, privateKeyPem ?? '', 'private key')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/revoke', async (request, reply) => {
    requirePermission(request, 'manageApps');
    await deps.apps.revoke(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.revoke', { appId: request.params.sdkId });
    return reply.type('text/html; charset=utf-8').send(await render(request, notice('success', 'The app is revoked: its signatures stop working at once.')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/rotate-key', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const key = await c.appAdmin.rotateKey(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.rotate_key', { appId: request.params.sdkId });
    return reply.type('text/html; charset=utf-8').send(await render(request, keyNotice('New key pair for', { sdkId: request.params.sdkId }, key, 'private key')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/rotate-webhook-secret', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const secret = await c.appAdmin.rotateWebhookSecret(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.rotate_webhook_secret', { appId: request.params.sdkId });
    return reply.type('text/html; charset=utf-8').send(await render(request, keyNotice('New webhook secret for', { sdkId: request.params.sdkId }, secret, 'webhook secret')));
  });
}
