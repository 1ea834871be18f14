import { can } from '../../../domain/console/console-user.types.js';
import type { SessionView } from '../../../domain/console/session-view.service.js';
import type { PoolRecord } from '../../../domain/pools/pool.types.js';
import { html, iso, type SafeHtml } from '../html.js';
import { ffsView } from './ffs.view.js';
import { csrfField, notice, type PageContext } from './layout.js';
import { outcomeBadge } from './session-list.view.js';
import { reviewBadge } from './review.view.js';

export function checksView(view: SessionView, only?: string): SafeHtml {
  return html`${view.checks
    .filter((c) => !only || c.id === only)
    .map(
      (
        c,
      ) => html`<section aria-label="${c.name}"><h3>${c.name}: ${outcomeBadge(c.value)} <span class="muted">${c.outcome}</span></h3>
      ${
        c.breakdown.length
          ? html`<table><thead><tr><th scope="col">What was checked</th><th scope="col">Result</th><th scope="col">How</th><th scope="col">Details</th></tr></thead><tbody>${c.breakdown.map(
              (
                b,
              ) => html`<tr><td>${b.label} <span class="muted">(<code>${b.subCheck}</code>)</span></td><td class="${b.passed ? 'pass' : 'fail'}">${b.passed ? 'passed' : 'failed'}</td>
          <td>${b.process === 'EXPERT_REVIEW' ? 'decided by a reviewer' : 'automated'}</td><td>${b.details.map((d) => html`<code>${d.name}</code> ${d.value}<br>`)}</td></tr>`,
            )}</tbody></table>`
          : ''
      }</section>`,
    )}`;
}

export function imagesView(ctx: PageContext, view: SessionView, pools: PoolRecord[]): SafeHtml {
  const sid = encodeURIComponent(view.session.id);
  const addForm = (mediaId: string) =>
    pools.length && ctx.user && can(ctx.user, 'editPools')
      ? html`<form method="post" action="/console/sessions/${sid}/add-to-pool">${csrfField(ctx)}<input type="hidden" name="media_id" value="${mediaId}">
        <label>Pool <select name="pool_id">${pools.map((p) => html`<option value="${p.id}">${p.label}</option>`)}</select></label> <button type="submit" class="secondary">Add to pool</button></form>`
      : '';
  return view.images.length
    ? html`<div class="grid">${view.images.map(
        (i) =>
          html`<figure><img src="/console/sessions/${sid}/media/${encodeURIComponent(i.mediaId)}" alt="${i.label}"><figcaption>${i.label}</figcaption>${addForm(i.mediaId)}</figure>`,
      )}</div>`
    : html`<p>No images.</p>`;
}

export function sessionPageView(
  ctx: PageContext,
  view: SessionView,
  appName: string,
  pools: PoolRecord[],
  added: string | undefined,
): SafeHtml {
  const s = view.session;
  return html`${added ? notice('success', html`The image was added to the pool as applicant <code>${added}</code>.`) : ''}
  <dl class="facts">
    <dt>Session id</dt><dd class="id">${s.id}</dd><dt>App</dt><dd>${appName}</dd>
    <dt>State</dt><dd>${s.state.toLowerCase()}</dd><dt>User tracking id</dt><dd>${s.spec.user_tracking_id ?? ''}</dd>
    <dt>Created</dt><dd>${iso(s.createdAt)}</dd><dt>Data kept until</dt><dd>${iso(s.resourcesExpireAt)}</dd>
  </dl>
  ${view.reviews.length ? html`<h2>Manual review</h2><ul>${view.reviews.map((r) => html`<li><a href="/console/reviews/${encodeURIComponent(r.id)}">${r.checkType.toLowerCase().replace(/_/g, ' ')}</a> ${reviewBadge(r)} <span class="muted">(${r.reason})</span></li>`)}</ul>` : ''}
  <h2>Checks</h2>${view.checks.length ? checksView(view) : html`<p>No checks were requested.</p>`}
  ${view.ffs.length ? html`<h2>Familiar face search</h2>${view.ffs.map((f) => ffsView(s.id, f))}` : ''}
  <h2 id="images">Images</h2>${imagesView(ctx, view, pools)}
  ${view.documents.map(
    (d) => html`<h2>Document fields</h2>${d.note ? html`<p class="muted">${d.note}</p>` : ''}
    <table><thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead><tbody>${d.fields.map(([k, v]) => html`<tr><td>${k.replace(/_/g, ' ')}</td><td>${v}</td></tr>`)}</tbody></table>
    <table><caption>How each MRZ field was verified</caption><thead><tr><th scope="col">MRZ field</th><th scope="col">Verified by</th></tr></thead><tbody>${d.verification.map(
      ([k, how]) =>
        html`<tr><td>${k}</td><td class="${how === 'check-digit' ? 'pass' : ''}">${how === 'check-digit' ? 'check digit passed' : how === 'format' ? 'format only' : 'not verified'}</td></tr>`,
    )}</tbody></table>`,
  )}
  <h2>Timeline</h2><ol>${view.timeline.map((t) => html`<li><time datetime="${new Date(t.at).toISOString()}">${iso(t.at)}</time>: ${t.what}</li>`)}</ol>
  <h2>Webhook deliveries</h2>${
    view.webhooks.length
      ? html`<table><thead><tr><th scope="col">Created</th><th scope="col">Topic</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last status</th><th scope="col">Delivered</th></tr></thead><tbody>${view.webhooks.map(
          (w) =>
            html`<tr><td>${iso(w.createdAt)}</td><td>${w.topic}</td><td>${w.state}</td><td>${w.attempts}</td><td>${w.lastStatus ?? w.lastError ?? ''}</td><td>${iso(w.deliveredAt)}</td></tr>`,
        )}</tbody></table>`
      : html`<p>No webhooks (the session did not ask for notifications).</p>`
  }`;
}
