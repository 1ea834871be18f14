import type { SessionListRow } from '../../../domain/ports/console-repository.port.js';
import type { AppRecord } from '../../../domain/ports/repositories.port.js';
import { html, iso, type SafeHtml } from '../html.js';

export interface ListRow extends SessionListRow {
  appName: string;
  outcome: string;
}

const OUTCOME_WORDS: Record<string, string> = {
  APPROVE: 'approved',
  REJECT: 'rejected',
  NOT_AVAILABLE: 'no result',
  PENDING: 'pending',
  NONE: 'no checks',
};

export const outcomeBadge = (outcome: string) =>
  html`<span class="badge ${outcome}">${OUTCOME_WORDS[outcome] ?? outcome}</span>`;

const select = (name: string, label: string, current: string | undefined, options: [string, string][]) =>
  html`<label>${label} <select name="${name}"><option value="">any</option>${options.map(([v, l]) => html`<option value="${v}"${v === current ? html` selected` : ''}>${l}</option>`)}</select></label>`;

export function sessionListView(v: {
  rows: ListRow[];
  apps: AppRecord[];
  filters: Record<string, string | undefined>;
  next: string | null;
}): SafeHtml {
  const f = v.filters;
  return html`<form class="filters" method="get" action="/console/sessions" role="search" aria-label="Filter sessions">
    ${select(
      'app',
      'App',
      f.app,
      v.apps.map((a) => [a.sdkId, a.name]),
    )}
    ${select('state', 'State', f.state, [
      ['ONGOING', 'ongoing'],
      ['COMPLETED', 'completed'],
      ['EXPIRED', 'expired'],
    ])}
    ${select('outcome', 'Check outcome', f.outcome, [
      ['APPROVE', 'approved'],
      ['REJECT', 'rejected'],
      ['NOT_AVAILABLE', 'no result'],
      ['PENDING', 'pending'],
    ])}
    ${select('review', 'Needs review', f.review, [
      ['yes', 'yes'],
      ['no', 'no'],
    ])}
    <label>User tracking id starts with <input name="tracking" value="${f.tracking ?? ''}" maxlength="500"></label>
    <label>Session id <input name="session" value="${f.session ?? ''}" maxlength="200"></label>
    <label>From <input type="date" name="from" value="${f.from ?? ''}"></label>
    <label>To <input type="date" name="to" value="${f.to ?? ''}"></label>
    <button type="submit">Filter</button> <a href="/console/sessions">Clear</a>
  </form>
  <table><caption>Newest first, ${v.rows.length} shown</caption>
  <thead><tr><th scope="col">Created</th><th scope="col">Session</th><th scope="col">App</th><th scope="col">User tracking id</th><th scope="col">State</th><th scope="col">Outcome</th><th scope="col">Checks</th><th scope="col">Review</th></tr></thead>
  <tbody>${
    v.rows.length
      ? v.rows.map(
          (
            r,
          ) => html`<tr><td>${iso(r.createdAt)}</td><td><a class="id" href="/console/sessions/${encodeURIComponent(r.id)}">${r.id}</a></td><td>${r.appName}</td>
        <td>${r.userTrackingId ?? ''}</td><td>${r.state.toLowerCase()}</td><td>${outcomeBadge(r.outcome)}</td>
        <td>${r.checks.map((ch) => html`<span class="badge ${ch.state === 'DONE' ? (ch.recommendation ?? '') : 'PENDING'}">${ch.type.toLowerCase().replace(/_/g, ' ')}</span> `)}</td>
        <td>${r.openReviews ? html`<span class="badge review">needs review</span>` : ''}</td></tr>`,
        )
      : html`<tr><td colspan="8">No sessions match.</td></tr>`
  }</tbody></table>
  ${v.next ? html`<p class="pager"><a href="${v.next}">Older sessions</a></p>` : ''}`;
}
