import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../../domain/errors.js';
import { auditCsv, auditRow } from '../../../domain/audit/audit.service.js';
import type { AuditQuery } from '../../../domain/audit/audit.types.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, dayParam, param, requirePermission } from '../console-request.js';
import { visibleApps } from '../console-scope.js';
import { html, iso } from '../html.js';
import { page } from '../views/layout.js';

const PAGE = 100;
const EXPORT_LIMIT = 100_000;

export async function auditRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  const filters = (request: FastifyRequest) => {
    const q = request.query;
    return {
      actor: param(q, 'actor'),
      action: param(q, 'action'),
      session: param(q, 'session'),
      from: param(q, 'from'),
      to: param(q, 'to'),
    };
  };

  const query = async (request: FastifyRequest, limit: number): Promise<AuditQuery> => {
    const f = filters(request);
    const before = param(request.query, 'before', 20);
    const beforeSeq = before === undefined ? undefined : Number(before);
    if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq))
      throw validationError([{ property: 'before', message: 'must be an integer' }]);
    const from = dayParam(request.query, 'from');
    const to = dayParam(request.query, 'to', true);
    return {
      appIds: (await visibleApps(request, deps.apps)).ids,
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.action ? { action: f.action } : {}),
      ...(f.session ? { sessionId: f.session } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      limit,
    };
  };

  app.get('/audit', async (request, reply) => {
    const u = requirePermission(request, 'readAudit');
    const events = await c.audit.search(await query(request, PAGE + 1));
    const shown = events.slice(0, PAGE);
    const f = filters(request);
    const keep = new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => Boolean(e[1])));
    const more = new URLSearchParams(keep);
    if (events.length > PAGE) more.set('before', String(shown.at(-1)!.seq));
    const input = (name: keyof typeof f, label: string, type = 'text') =>
      html`<label>${label} <input type="${type}" name="${name}" value="${f[name] ?? ''}" maxlength="200"></label>`;
    const body = html`<form class="filters" method="get" action="/console/audit" role="search" aria-label="Filter the audit log">
      ${input('actor', 'Who')} ${input('action', 'Action (e.g. media.view)')} ${input('session', 'Session id')} ${input('from', 'From', 'date')} ${input('to', 'To', 'date')}
      <button type="submit">Filter</button> <a href="/console/audit">Clear</a></form>
      <p>Export these events: <a href="/console/audit/export?${new URLSearchParams([...keep, ['format', 'csv']])}">CSV</a> · <a href="/console/audit/export?${new URLSearchParams([...keep, ['format', 'json']])}">JSON</a></p>
      <table><caption>Newest first; append-only</caption><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">Action</th><th scope="col">Session</th><th scope="col">Target</th><th scope="col">Detail</th></tr></thead>
      <tbody>${shown.map(
        (
          e,
        ) => html`<tr><td>${e.seq}</td><td>${iso(e.at)}</td><td>${e.actor}</td><td>${e.ip ?? ''}</td><td><code>${e.action}</code></td>
          <td>${e.sessionId ? html`<a class="id" href="/console/sessions/${encodeURIComponent(e.sessionId)}">${e.sessionId}</a>` : ''}</td><td class="id">${e.target ?? ''}</td><td>${e.detail ?? ''}</td></tr>`,
      )}</tbody></table>
      ${events.length > PAGE ? html`<p><a href="/console/audit?${more}">Older events</a></p>` : ''}`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ user: u, csrf: request.consoleSession!.csrfToken, path: '/console/audit' }, 'Audit log', body));
  });

  app.get('/audit/export', async (request, reply) => {
    requirePermission(request, 'readAudit');
    const format = param(request.query, 'format') ?? 'csv';
    if (format !== 'csv' && format !== 'json')
      throw validationError([{ property: 'format', message: 'must be csv or json' }]);
    const events = await c.audit.search(await query(request, EXPORT_LIMIT));
    await c.audit.record(actor(request), 'audit.export', { detail: { format, events: events.length } });
    const name = `openidv-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
    void reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'json')
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(events.map(auditRow)));
    return reply.type('text/csv; charset=utf-8').send(auditCsv(events));
  });
}
