import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { can } from '../../../domain/console/console-user.types.js';
import { checkName, reviewReasonWords } from '../../../domain/console/report-words.js';
import { MAX_REASON_LENGTH } from '../../../domain/review/review.service.js';
import type { ReviewDecision, ReviewState } from '../../../domain/review/review.types.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { decodeKey, encodeKey } from '../console-cursor.js';
import { actor, CONSOLE_PREFIX, field, param, requirePermission, user } from '../console-request.js';
import { appName, visibleApps } from '../console-scope.js';
import { html, iso } from '../html.js';
import { ffsView } from '../views/ffs.view.js';
import { csrfField, notice, page } from '../views/layout.js';
import { reviewBadge } from '../views/review.view.js';
import { checksView, imagesView } from '../views/session-page.view.js';

const PAGE = 50;

export async function reviewRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  app.get('/reviews', async (request, reply) => {
    const u = user(request);
    const { apps, ids } = await visibleApps(request, deps.apps);
    const decided = param(request.query, 'show') === 'decided';
    const states: ReviewState[] = decided ? ['DECIDED'] : ['OPEN', 'AWAITING_SECOND'];
    const after = decodeKey(param(request.query, 'after', 400));
    const items = await c.reviews.queue({ appIds: ids, states, ...(after ? { after } : {}), limit: PAGE + 1 });
    const shown = items.slice(0, PAGE);
    const last = shown.at(-1);
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: request.url };
    const body = html`<p><a href="/console/reviews"${decided ? '' : html` aria-current="true"`}>Waiting</a> · <a href="/console/reviews?show=decided"${decided ? html` aria-current="true"` : ''}>Decided</a></p>
      <table><caption>${decided ? 'Decided items' : 'Items waiting for a decision, oldest first'}</caption>
      <thead><tr><th scope="col">Sent to review</th><th scope="col">Check</th><th scope="col">Why</th><th scope="col">App</th><th scope="col">Session</th><th scope="col">State</th><th scope="col">Open</th></tr></thead>
      <tbody>${
        shown.length
          ? shown.map(
              (
                r,
              ) => html`<tr><td>${iso(r.createdAt)}</td><td>${checkName(r.checkType)}</td><td>${reviewReasonWords(r.reason)}</td><td>${appName(apps, r.appId)}</td>
          <td><a class="id" href="/console/sessions/${encodeURIComponent(r.sessionId)}">${r.sessionId}</a></td><td>${reviewBadge(r)}</td>
          <td><a href="/console/reviews/${encodeURIComponent(r.id)}">Review<span class="sr-only"> ${r.id}</span></a></td></tr>`,
            )
          : html`<tr><td colspan="7">Nothing here.</td></tr>`
      }</tbody></table>
      ${items.length > PAGE && last ? html`<p><a href="/console/reviews?${decided ? 'show=decided&' : ''}after=${encodeKey(last.createdAt, last.id)}">More</a></p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Review queue', body));
  });

  const requireItem = async (id: string, may: (appId: string) => boolean) => {
    const item = id.length <= 200 ? await c.reviews.get(id) : null;
    if (!item || !may(item.appId)) throw new AppError('NOT_FOUND', 'No review item with this id');
    return item;
  };

  app.get<{ Params: { id: string } }>('/reviews/:id', async (request, reply) => {
    const u = user(request);
    const { apps, may } = await visibleApps(request, deps.apps);
    const item = await requireItem(request.params.id, may);
    const session = await c.views.require(item.sessionId, may);
    const view = await c.views.view(session);
    await c.audit.record(actor(request), 'review.view', {
      appId: item.appId,
      sessionId: item.sessionId,
      target: item.id,
      expiresAt: session.resourcesExpireAt,
    });
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/reviews' };
    const ffs = view.ffs.find((f) => f.checkId === item.checkId);
    const mayDecide = can(u, 'decide');
    const secondOnly = item.state === 'AWAITING_SECOND';
    const form =
      item.state === 'DECIDED'
        ? notice(
            'info',
            html`Decided: ${item.decision} by ${item.decidedBy} at ${iso(item.decidedAt)}${item.decisionReason ? html` (“${item.decisionReason}”)` : ''}.`,
          )
        : !mayDecide
          ? notice('info', 'Your role (viewer) can look at this item but not decide it.')
          : secondOnly && item.firstBy === u.username
            ? notice('info', 'You rejected this item: a second reviewer must confirm or overturn the rejection.')
            : html`<form class="stack" method="post" action="/console/reviews/${encodeURIComponent(item.id)}/decide">${csrfField(ctx)}
              <fieldset><legend>${secondOnly ? 'Confirm or overturn the rejection' : 'Decision'}</legend>
                <label><input type="radio" name="decision" value="APPROVE" required> Approve${secondOnly ? ' (overturn)' : ''}</label>
                <label><input type="radio" name="decision" value="REJECT"> Reject${secondOnly ? ' (confirm)' : ''}</label></fieldset>
              <label>Reason (required to reject) <textarea name="reason" rows="3" maxlength="${MAX_REASON_LENGTH}"></textarea></label>
              <div><button type="submit">Record decision</button></div></form>`;
    const body = html`<dl class="facts"><dt>Check</dt><dd>${checkName(item.checkType)}</dd><dt>Why it is here</dt><dd>${reviewReasonWords(item.reason)} <span class="muted">(<code>${item.reason}</code>)</span></dd>
      <dt>App</dt><dd>${appName(apps, item.appId)}</dd><dt>Session</dt><dd><a class="id" href="/console/sessions/${encodeURIComponent(item.sessionId)}">${item.sessionId}</a></dd>
      <dt>Sent</dt><dd>${iso(item.createdAt)}</dd><dt>State</dt><dd>${reviewBadge(item)}</dd>
      ${item.firstBy ? html`<dt>First decision</dt><dd>${item.firstDecision} by ${item.firstBy} at ${iso(item.firstAt)}: “${item.firstReason}”</dd>` : ''}</dl>
      ${form}
      <h2>What the machine found</h2>${checksView(view, item.checkId)}
      ${ffs ? html`<h2>Faces to compare</h2>${ffsView(session.id, ffs)}` : html`<h2>Images</h2>${imagesView({ ...ctx, user: null }, view, [])}`}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Review', body));
  });

  app.post<{ Params: { id: string } }>('/reviews/:id/decide', async (request, reply) => {
    const u = requirePermission(request, 'decide');
    const { may } = await visibleApps(request, deps.apps);
    const item = await requireItem(request.params.id, may);
    const decision = field(request.body, 'decision', 20) as ReviewDecision;
    const reason = field(request.body, 'reason', MAX_REASON_LENGTH);
    const decided = await c.reviews.decide(item.id, u.username, decision, reason);
    const session = await deps.repos.sessions.getById(item.sessionId);
    await c.audit.record(actor(request), decided.state === 'DECIDED' ? 'review.decide' : 'review.first_reject', {
      appId: item.appId,
      sessionId: item.sessionId,
      target: item.id,
      detail: { decision, reason, check: item.checkType },
      expiresAt: session?.resourcesExpireAt ?? null,
    });
    return reply.redirect(`${CONSOLE_PREFIX}/reviews/${encodeURIComponent(item.id)}`, 303);
  });
}
