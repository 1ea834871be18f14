import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { validationError } from '../../../domain/errors.js';
import type { SessionSpecInput } from '../../../domain/sessions/session-spec.schema.js';
import type { ConsoleDeps } from '../console.plugin.js';
import { actor, field, fields, origin, requirePermission } from '../console-request.js';
import { html, trusted } from '../html.js';
import { csrfField, page } from '../views/layout.js';

const CHOICES = [
  { value: 'LIVENESS', label: 'Liveness (selfie)' },
  { value: 'DOCUMENT', label: 'ID document: MRZ text extraction and authenticity' },
  { value: 'ID_DOCUMENT_FACE_MATCH', label: 'Selfie against the document portrait' },
  { value: 'FAMILIAR_FACE_SEARCH', label: 'Familiar face search in a pool' },
] as const;

/** The session a newcomer can run with their own camera: the checks they ticked, uploads allowed. */
export function trySpec(checks: string[], poolId: string, trackingId: string): SessionSpecInput {
  const requested: { type: string; config: Record<string, unknown> }[] = [];
  const doc = checks.includes('DOCUMENT') || checks.includes('ID_DOCUMENT_FACE_MATCH');
  if (
    checks.includes('LIVENESS') ||
    checks.includes('FAMILIAR_FACE_SEARCH') ||
    checks.includes('ID_DOCUMENT_FACE_MATCH')
  ) {
    requested.push({ type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 3 } });
  }
  if (checks.includes('DOCUMENT')) requested.push({ type: 'ID_DOCUMENT_AUTHENTICITY', config: {} });
  if (checks.includes('ID_DOCUMENT_FACE_MATCH'))
    requested.push({ type: 'ID_DOCUMENT_FACE_MATCH', config: { manual_check: 'NEVER' } });
  if (checks.includes('FAMILIAR_FACE_SEARCH'))
    requested.push({ type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: poolId, approval_criteria: 'NO_MATCH' } });
  if (!requested.length) throw validationError([{ property: 'checks', message: 'choose at least one check' }]);
  return {
    client_session_token_ttl: 1800,
    user_tracking_id: trackingId || 'console-try',
    requested_checks: requested,
    requested_tasks: checks.includes('DOCUMENT') ? [{ type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION', config: {} }] : [],
    required_documents: doc ? [{ type: 'ID_DOCUMENT' }] : [],
    sdk_config: { allowed_capture_methods: 'CAMERA_AND_UPLOAD' },
  } as unknown as SessionSpecInput;
}

export async function tryRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { console: c } = deps;

  app.get('/try', async (request, reply) => {
    const u = requirePermission(request, 'tryIt');
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/try' };
    const apps = (await deps.apps.list()).filter((a) => !a.revokedAt);
    const pools = (
      await Promise.all(
        apps.map(async (a) => (await deps.poolRepo.listPools(a.sdkId, undefined, 100)).items.map((p) => ({ p, a }))),
      )
    ).flat();
    const body = html`<p>Create a test session, open its capture link on a phone or laptop with a camera, and follow the result here.
      The camera needs a secure context: use <code>http://localhost</code> on this machine, or serve openidv over HTTPS.</p>
      <form class="stack" method="post" action="/console/try">${csrfField(ctx)}
        <label>App <select name="app">${apps.map((a) => html`<option value="${a.sdkId}">${a.name}</option>`)}</select></label>
        <fieldset><legend>Checks</legend>${CHOICES.map((ch) => html`<label><input type="checkbox" name="checks" value="${ch.value}"${ch.value === 'LIVENESS' ? html` checked` : ''}> ${ch.label}</label>`)}</fieldset>
        <label>Pool for the familiar face search <select name="pool"><option value="">none</option>${pools.map(({ p, a }) => html`<option value="${p.id}">${p.label} (${a.name})</option>`)}</select></label>
        <label>User tracking id <input name="tracking" maxlength="200" value="console-try"></label>
        <div><button type="submit">Create test session</button></div></form>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Try it', body));
  });

  app.post('/try', async (request, reply) => {
    const u = requirePermission(request, 'tryIt');
    const appId = field(request.body, 'app', 200);
    if (!(await deps.repos.apps.get(appId))) throw validationError([{ property: 'app', message: 'no such app' }]);
    const spec = trySpec(
      fields(request.body, 'checks'),
      field(request.body, 'pool', 200),
      field(request.body, 'tracking', 200),
    );
    const created = await deps.sessions.create(appId, spec);
    await c.audit.record(actor(request), 'try.create', { appId, sessionId: created.session_id });
    const link = `${origin(request)}/idverify/v1/web/index.html?sessionID=${encodeURIComponent(created.session_id)}&sessionToken=${encodeURIComponent(created.client_session_token)}`;
    // Rendered here by a local library: the QR code never leaves this server, and the page loads nothing else.
    const svg = (await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).replace(
      '<svg ',
      '<svg role="img" aria-label="QR code of the capture link" ',
    );
    const ctx = { user: u, csrf: request.consoleSession!.csrfToken, path: '/console/try' };
    const body = html`<p class="notice success" role="status">Test session created. It stays open for 30 minutes.</p>
      <div class="grid"><div class="qr">${trusted(svg)}</div>
      <div><h2>Capture link</h2><p>Scan the code with a phone, or open the link on this computer:</p>
        <p><a class="id" href="${link}" rel="noreferrer">${link}</a></p>
        <p>Then watch the result: <a href="/console/sessions/${encodeURIComponent(created.session_id)}">session ${created.session_id}</a>.</p></div></div>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'Try it', body));
  });
}
