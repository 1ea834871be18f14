import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppRecord } from '../../../domain/ports/repositories.port.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, field, requirePermission } from '../console-request.js';
import { html, iso, type SafeHtml } from '../html.js';
import { csrfField, notice, page, type PageContext } from '../views/layout.js';

/**
 * Which sites may show the app's capture pages in an iframe (the page's CSP frame-ancestors): the app's own list,
 * or the server default (OPENIDV_FRAME_ANCESTORS) when it has none. Edited like `openidv apps update`.
 */
function framingOriginsSection(a: AppRecord, ctx: PageContext): SafeHtml {
  const current = a.frameAncestors?.join(' ') ?? '';
  if (a.revokedAt) return html`${current || html`<span class="muted">server default</span>`}`;
  return html`<form method="post" action="/console/apps/${encodeURIComponent(a.sdkId)}/frame-ancestors">${csrfField(ctx)}
    <label>Origins<span class="sr-only"> allowed to frame ${a.name}'s capture page</span>
    <input name="frame_ancestors" value="${current}" maxlength="2000" placeholder="server default" aria-describedby="framing-help"></label>
    <button type="submit" class="secondary">Save<span class="sr-only"> framing origins for ${a.name}</span></button></form>`;
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
        (
          a,
        ) => html`<tr><td>${a.name}</td><td class="id">${a.sdkId}</td><td>${iso(a.createdAt)}</td><td>${a.revokedAt ? `revoked ${iso(a.revokedAt)}` : 'active'}</td>
          <td>${framingOriginsSection(a, ctx)}</td>
          <td>${a.revokedAt ? '' : html`${action(a, 'rotate-key', 'Rotate key')} ${action(a, 'rotate-webhook-secret', 'Rotate webhook secret')} ${action(a, 'revoke', 'Revoke', 'danger')}`}</td></tr>`,
      )}</tbody></table>
      <h2>Create an app</h2><form class="filters" method="post" action="/console/apps">${csrfField(ctx)}
        <label>Name <input name="name" required maxlength="200"></label><button type="submit">Create</button></form>
      <p class="muted" id="framing-help">Framing origins: the sites allowed to show the capture page in an iframe, as
        <code>https://shop.example</code> separated by spaces (a <code>*.</code> wildcard needs two labels after it);
        <code>none</code> refuses framing, an empty field follows the server default.</p>
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
    return reply
      .type('text/html; charset=utf-8')
      .send(await render(request, keyNotice('Created app', created, privateKeyPem ?? '', 'private key')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/frame-ancestors', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const raw = field(request.body, 'frame_ancestors', 2000).trim();
    const origins = await deps.apps.setFrameAncestors(request.params.sdkId.slice(0, 200), raw === '' ? 'default' : raw);
    await c.audit.record(actor(request), 'app.frame_ancestors', {
      appId: request.params.sdkId,
      detail: { frame_ancestors: origins?.join(' ') ?? 'default' },
    });
    const said =
      origins === null ? 'follow the server default' : origins.length ? `allow ${origins.join(' ')}` : 'refuse framing';
    return reply
      .type('text/html; charset=utf-8')
      .send(await render(request, notice('success', `Saved: the app's capture pages now ${said}.`)));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/revoke', async (request, reply) => {
    requirePermission(request, 'manageApps');
    await deps.apps.revoke(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.revoke', { appId: request.params.sdkId });
    return reply
      .type('text/html; charset=utf-8')
      .send(await render(request, notice('success', 'The app is revoked: its signatures stop working at once.')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/rotate-key', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const key = await c.appAdmin.rotateKey(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.rotate_key', { appId: request.params.sdkId });
    return reply
      .type('text/html; charset=utf-8')
      .send(await render(request, keyNotice('New key pair for', { sdkId: request.params.sdkId }, key, 'private key')));
  });

  app.post<{ Params: { sdkId: string } }>('/apps/:sdkId/rotate-webhook-secret', async (request, reply) => {
    requirePermission(request, 'manageApps');
    const secret = await c.appAdmin.rotateWebhookSecret(request.params.sdkId.slice(0, 200));
    await c.audit.record(actor(request), 'app.rotate_webhook_secret', { appId: request.params.sdkId });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        await render(
          request,
          keyNotice('New webhook secret for', { sdkId: request.params.sdkId }, secret, 'webhook secret'),
        ),
      );
  });
}
