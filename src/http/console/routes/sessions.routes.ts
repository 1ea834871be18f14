import type { FastifyInstance } from 'fastify';
import { validationError } from '../../../domain/errors.js';
import { can } from '../../../domain/console/console-user.types.js';
import { sessionOutcome } from '../../../domain/console/report-words.js';
import type { SessionListQuery } from '../../../domain/ports/console-repository.port.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { decodeKey, encodeKey } from '../console-cursor.js';
import { actor, CONSOLE_PREFIX, dayParam, field, param, requirePermission, user } from '../console-request.js';
import { appName, visibleApps } from '../console-scope.js';
import { page } from '../views/layout.js';
import { sessionListView } from '../views/session-list.view.js';
import { sessionPageView } from '../views/session-page.view.js';

const PAGE = 50;
const STATES = ['ONGOING', 'COMPLETED', 'EXPIRED'] as const;
const OUTCOMES = ['APPROVE', 'REJECT', 'NOT_AVAILABLE', 'PENDING'] as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw validationError([{ property: name, message: `must be one of ${allowed.join(', ')}` }]);
  return value as T;
}

export async function sessionsRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  app.get('/sessions', async (request, reply) => {
    const u = user(request);
    const { apps, ids } = await visibleApps(request, deps.apps);
    const q = request.query;
    const appFilter = param(q, 'app');
    const filters = {
      app: appFilter,
      state: oneOf(param(q, 'state'), STATES, 'state'),
      outcome: oneOf(param(q, 'outcome'), OUTCOMES, 'outcome'),
      tracking: param(q, 'tracking', 500),
      session: param(q, 'session'),
      from: param(q, 'from'),
      to: param(q, 'to'),
      review: oneOf(param(q, 'review'), ['yes', 'no'] as const, 'review'),
    };
    const scope = appFilter ? (ids === null || ids.includes(appFilter) ? [appFilter] : []) : ids;
    const query: SessionListQuery = {
      appIds: scope,
      ...(filters.state ? { state: filters.state } : {}),
      ...(filters.outcome ? { outcome: filters.outcome } : {}),
      ...(filters.tracking ? { trackingId: filters.tracking } : {}),
      ...(filters.session ? { sessionId: filters.session } : {}),
      ...(filters.from ? { from: dayParam(q, 'from') } : {}),
      ...(filters.to ? { to: dayParam(q, 'to', true) } : {}),
      ...(filters.review ? { needsReview: filters.review === 'yes' } : {}),
      ...(param(q, 'before', 400) ? { before: decodeKey(param(q, 'before', 400)) } : {}),
      limit: PAGE + 1,
    };
    const rows = await c.repos.sessionList.list(query);
    const more = rows.length > PAGE;
    const shown = rows
      .slice(0, PAGE)
      .map((r) => ({ ...r, appName: appName(apps, r.appId), outcome: sessionOutcome(r.checks) }));
    const last = shown.at(-1);
    const nextParams = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1])));
    if (more && last) nextParams.set('before', encodeKey(last.createdAt, last.id));
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: request.url };
    return reply.type('text/html; charset=utf-8').send(
      page(
        ctx,
        'Sessions',
        sessionListView({
          rows: shown,
          apps,
          filters,
          next: more ? `${CONSOLE_PREFIX}/sessions?${nextParams}` : null,
        }),
      ),
    );
  });

  app.get<{ Params: { id: string } }>('/sessions/:id', async (request, reply) => {
    const u = user(request);
    const { apps, may } = await visibleApps(request, deps.apps);
    const session = await c.views.require(request.params.id, may);
    const view = await c.views.view(session);
    const pools = can(u, 'editPools') ? (await deps.poolRepo.listPools(session.appId, undefined, 100)).items : [];
    await c.audit.record(actor(request), 'session.view', {
      appId: session.appId,
      sessionId: session.id,
      detail: { images: view.images.length, candidates: view.ffs.reduce((n, f) => n + f.candidates.length, 0) },
      expiresAt: session.resourcesExpireAt,
    });
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/sessions' };
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          ctx,
          'Session',
          sessionPageView(ctx, view, appName(apps, session.appId), pools, param(request.query, 'added')),
        ),
      );
  });

  app.get<{ Params: { id: string; mediaId: string } }>('/sessions/:id/media/:mediaId', async (request, reply) => {
    const { may } = await visibleApps(request, deps.apps);
    const session = await c.views.require(request.params.id, may);
    const image = await c.views.image(session, request.params.mediaId.slice(0, 200));
    await c.audit.record(actor(request), 'media.view', {
      appId: session.appId,
      sessionId: session.id,
      target: image.media.id,
      expiresAt: session.resourcesExpireAt,
    });
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'inline')
      .type(image.contentType)
      .send(image.data);
  });

  /** Add to blocklist: the session's image becomes a new applicant of the chosen pool. */
  app.post<{ Params: { id: string } }>('/sessions/:id/add-to-pool', async (request, reply) => {
    requirePermission(request, 'editPools');
    const { may } = await visibleApps(request, deps.apps);
    const session = await c.views.require(request.params.id, may);
    const mediaId = field(request.body, 'media_id', 200);
    const poolId = field(request.body, 'pool_id', 200);
    const applicantId = await c.poolAdmin.addSessionFace(session, mediaId, poolId);
    await c.audit.record(actor(request), 'pool.add_face', {
      appId: session.appId,
      sessionId: session.id,
      target: `${poolId}/${applicantId}`,
      detail: { media_id: mediaId, pool_id: poolId },
    });
    return reply.redirect(
      `${CONSOLE_PREFIX}/sessions/${encodeURIComponent(session.id)}?added=${encodeURIComponent(applicantId)}#images`,
      303,
    );
  });
}
