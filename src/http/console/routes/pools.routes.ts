import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, validationError } from '../../../domain/errors.js';
import { can } from '../../../domain/console/console-user.types.js';
import type { PoolRecord } from '../../../domain/pools/pool.types.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, CONSOLE_PREFIX, field, param, requirePermission, user } from '../console-request.js';
import { appName, visibleApps } from '../console-scope.js';
import { html, iso, percent } from '../html.js';
import { csrfField, page } from '../views/layout.js';

type PoolParams = { Params: { id: string; aid: string; fid: string } };

export async function poolsRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;
  const ctxOf = (request: FastifyRequest) => ({
    user: user(request),
    csrf: request.consoleSession!.csrfToken,
    path: '/console/pools',
  });

  const requirePool = async (request: FastifyRequest, id: string): Promise<PoolRecord> => {
    const { apps } = await visibleApps(request, deps.apps);
    if (id.length > 200) throw new AppError('POOL_NOT_FOUND');
    return c.poolAdmin.requirePoolOfApps(
      id,
      apps.map((a) => a.sdkId),
    );
  };

  app.get('/pools', async (request, reply) => {
    const { apps } = await visibleApps(request, deps.apps);
    const rows = [];
    for (const a of apps)
      for (const pool of (await deps.poolRepo.listPools(a.sdkId, undefined, 200)).items)
        rows.push({ pool, overview: await c.poolAdmin.overview(pool), app: a });
    const body = html`<table><thead><tr><th scope="col">Pool</th><th scope="col">App</th><th scope="col">Faces</th><th scope="col">Match threshold</th><th scope="col">Expected FPIR / FNIR</th><th scope="col">Review band</th></tr></thead>
      <tbody>${
        rows.length
          ? rows.map(
              ({
                pool,
                overview: o,
                app: a,
              }) => html`<tr><td><a href="/console/pools/${encodeURIComponent(pool.id)}">${pool.label}</a></td><td>${a.name}</td><td>${o.size.toLocaleString('en')}</td>
          <td>${o.policy.threshold.toFixed(3)} (${o.policy.source})</td><td>${percent(o.policy.expectedFpir)} / ${percent(o.policy.expectedFnir)}</td>
          <td>${o.band.empty ? 'empty' : `${o.band.lower.toFixed(3)} to ${o.band.upper.toFixed(3)}`}</td></tr>`,
            )
          : html`<tr><td colspan="6">No pools. Create one with the API (POST /pools) or <code>openidv pools import</code>.</td></tr>`
      }</tbody></table>`;
    return reply.type('text/html; charset=utf-8').send(page(ctxOf(request), 'Pools', body));
  });

  app.get<PoolParams>('/pools/:id', async (request, reply) => {
    const pool = await requirePool(request, request.params.id);
    const { apps } = await visibleApps(request, deps.apps);
    const o = await c.poolAdmin.overview(pool);
    const cursor = param(request.query, 'cursor', 400);
    const members = await deps.poolRepo.listMembers(pool.id, cursor, 50).catch(() => {
      throw validationError([{ property: 'cursor', message: 'is not a cursor of this list' }]);
    });
    const counts = await Promise.all(members.items.map(async (a) => (await deps.poolRepo.listFaces(a.id)).length));
    const ctx = ctxOf(request);
    const b = o.band;
    const body = html`<dl class="facts"><dt>Pool id</dt><dd class="id">${pool.id}</dd><dt>App</dt><dd>${appName(apps, pool.appId)}</dd>
      <dt>Faces</dt><dd>${o.size.toLocaleString('en')}</dd>
      <dt>Match threshold</dt><dd>${o.policy.threshold.toFixed(3)} (${o.policy.source === 'pinned' ? 'pinned' : `derived for target FPIR ${percent(o.policy.targetFpir)}`})</dd>
      <dt>Expected at this size</dt><dd>FPIR ${percent(o.policy.expectedFpir)}, FNIR ${percent(o.policy.expectedFnir)}</dd>
      <dt>Review band</dt><dd>${b.empty ? 'empty' : html`${b.lower.toFixed(3)} to ${b.upper.toFixed(3)}: target FPIR ${percent(b.targetFpir)}; enrolled people below the band ${percent(b.expectedFnirAtLower)}`}</dd>
      <dt>Calibration</dt><dd>${o.calibrationDataset} (${o.modelSetId})</dd></dl>
      ${
        can(ctx.user, 'editPools')
          ? html`<form class="filters" method="post" action="/console/pools/${encodeURIComponent(pool.id)}/review-band">${csrfField(ctx)}
        <label>Review band target FPIR (0-1; empty for the default) <input name="review_target_fpir" inputmode="decimal" value="${(pool.settings as { review_target_fpir?: number }).review_target_fpir ?? ''}" maxlength="20"></label>
        <button type="submit">Save</button></form>`
          : ''
      }
      <h2>Applicants</h2><table><thead><tr><th scope="col">Applicant</th><th scope="col">Faces</th><th scope="col">Created</th></tr></thead><tbody>${members.items.map(
        (a, i) =>
          html`<tr><td><a class="id" href="/console/pools/${encodeURIComponent(pool.id)}/applicants/${encodeURIComponent(a.id)}">${a.id}</a></td><td>${counts[i]}</td><td>${iso(a.createdAt)}</td></tr>`,
      )}</tbody></table>
      ${members.nextCursor ? html`<p><a href="/console/pools/${encodeURIComponent(pool.id)}?cursor=${encodeURIComponent(members.nextCursor)}">More applicants</a></p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, `Pool ${pool.label}`, body));
  });

  app.post<PoolParams>('/pools/:id/review-band', async (request, reply) => {
    requirePermission(request, 'editPools');
    const pool = await requirePool(request, request.params.id);
    const raw = field(request.body, 'review_target_fpir', 20).trim();
    const value = raw === '' ? null : Number(raw);
    if (value !== null && !Number.isFinite(value))
      throw validationError([{ property: 'review_target_fpir', message: 'must be a number between 0 and 1' }]);
    await c.poolAdmin.setReviewTargetFpir(pool, value);
    await c.audit.record(actor(request), 'pool.review_band', {
      appId: pool.appId,
      target: pool.id,
      detail: { review_target_fpir: value },
    });
    return reply.redirect(`${CONSOLE_PREFIX}/pools/${encodeURIComponent(pool.id)}`, 303);
  });

  app.get<PoolParams>('/pools/:id/applicants/:aid', async (request, reply) => {
    const pool = await requirePool(request, request.params.id);
    const applicant =
      request.params.aid.length <= 200 ? await deps.poolRepo.getApplicant(pool.appId, request.params.aid) : null;
    if (!applicant) throw new AppError('APPLICANT_NOT_FOUND');
    const faces = await deps.poolRepo.listFaces(applicant.id);
    const ctx = ctxOf(request);
    const base = `/console/pools/${encodeURIComponent(pool.id)}/applicants/${encodeURIComponent(applicant.id)}`;
    const edit = can(ctx.user, 'editPools');
    const body = html`<p>In pool <a href="/console/pools/${encodeURIComponent(pool.id)}">${pool.label}</a>; created ${iso(applicant.createdAt)}.</p>
      <div class="grid">${faces.map(
        (
          f,
          i,
        ) => html`<figure><img src="${base}/faces/${encodeURIComponent(f.id)}" alt="Enrolled face ${i + 1}"><figcaption>Face ${i + 1}, added ${iso(f.createdAt)}${f.source.type === 'SESSION' ? html`, from session <a class="id" href="/console/sessions/${encodeURIComponent(f.source.session_id)}">${f.source.session_id}</a>` : ''}</figcaption>
        ${edit ? html`<form method="post" action="${base}/faces/${encodeURIComponent(f.id)}/delete">${csrfField(ctx)}<button type="submit" class="danger">Remove face ${i + 1}</button></form>` : ''}</figure>`,
      )}</div>
      ${edit ? html`<form method="post" action="${base}/remove">${csrfField(ctx)}<button type="submit" class="danger">Remove the applicant from this pool</button></form>` : ''}`;
    await c.audit.record(actor(request), 'applicant.view', { appId: pool.appId, target: `${pool.id}/${applicant.id}` });
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Applicant', body));
  });

  app.get<PoolParams>('/pools/:id/applicants/:aid/faces/:fid', async (request, reply) => {
    const pool = await requirePool(request, request.params.id);
    const image = await c.poolAdmin.faceImage(pool, request.params.aid.slice(0, 200), request.params.fid.slice(0, 200));
    await c.audit.record(actor(request), 'face.view', {
      appId: pool.appId,
      target: `${pool.id}/${request.params.aid}/${request.params.fid}`,
    });
    return reply.header('cache-control', 'no-store').type(image.contentType).send(image.data);
  });

  app.post<PoolParams>('/pools/:id/applicants/:aid/faces/:fid/delete', async (request, reply) => {
    requirePermission(request, 'editPools');
    const pool = await requirePool(request, request.params.id);
    await deps.pools.deleteFace(pool.appId, request.params.aid.slice(0, 200), request.params.fid.slice(0, 200));
    await c.audit.record(actor(request), 'pool.remove_face', {
      appId: pool.appId,
      target: `${pool.id}/${request.params.aid}/${request.params.fid}`,
    });
    return reply.redirect(
      `${CONSOLE_PREFIX}/pools/${encodeURIComponent(pool.id)}/applicants/${encodeURIComponent(request.params.aid)}`,
      303,
    );
  });

  app.post<PoolParams>('/pools/:id/applicants/:aid/remove', async (request, reply) => {
    requirePermission(request, 'editPools');
    const pool = await requirePool(request, request.params.id);
    await deps.pools.removeMember(pool.appId, pool.id, request.params.aid.slice(0, 200));
    await c.audit.record(actor(request), 'pool.remove_member', {
      appId: pool.appId,
      target: `${pool.id}/${request.params.aid}`,
    });
    return reply.redirect(`${CONSOLE_PREFIX}/pools/${encodeURIComponent(pool.id)}`, 303);
  });
}
