import { countriesFor } from '../../domain/documents/supported-documents.js';
import { attemptsRemaining } from '../../domain/documents/text-attempts.js';
import { isRequirementMet } from '../../domain/sessions/requirements.js';
import { effectiveState, isTokenActive, tokenTtl } from '../../domain/sessions/session-token.js';
import type {
  CheckRecord,
  MediaRecord,
  ResourceRecord,
  SessionBundle,
  SessionRecord,
  TaskRecord,
} from '../../domain/sessions/session.types.js';

// Renders records in the JSON shape the Yoti SDKs parse (spec section 6): never a null scalar (absent keys
// instead), dates as ISO strings, detail values as strings, the token TTL as an integer counting down. Each
// function's output is checked against its schema in session.schema.ts (test/unit/wire-mappers.test.ts).

const iso = (ms: number) => new Date(ms).toISOString();

function mediaJson(id: string | undefined, media: Map<string, MediaRecord>) {
  const m = id ? media.get(id) : undefined;
  return m ? { id: m.id, type: m.type, created: iso(m.createdAt), last_updated: iso(m.createdAt) } : undefined;
}

function withMedia(id: string | undefined, media: Map<string, MediaRecord>) {
  const m = mediaJson(id, media);
  return m ? { media: m } : undefined;
}

function taskJson(t: TaskRecord) {
  return {
    type: t.type,
    id: t.id,
    state: t.state,
    created: iso(t.createdAt),
    last_updated: iso(t.updatedAt),
    generated_checks: t.generatedChecks,
    generated_media: t.generatedMedia,
    ...(t.recommendation ? { recommendation: t.recommendation } : {}),
  };
}

function checkJson(c: CheckRecord) {
  // A check waiting for a reviewer has not run as far as the relying party is concerned: its automated report is
  // for the reviewer, and the decision replaces it.
  const waiting = c.state === 'AWAITING_REVIEW';
  return {
    type: c.type,
    id: c.id,
    state: waiting ? 'CREATED' : c.state,
    resources_used: c.resourcesUsed,
    generated_media: c.generatedMedia,
    ...(c.report && !waiting ? { report: c.report } : {}),
    created: iso(c.createdAt),
    last_updated: iso(c.updatedAt),
    ...(Object.keys(c.config).length ? { config: c.config } : {}),
  };
}

function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj;
}

function resourcesJson(bundle: SessionBundle) {
  const media = new Map(bundle.media.map((m) => [m.id, m]));
  const tasksOf = (r: ResourceRecord) => bundle.tasks.filter((t) => t.resourceId === r.id).map(taskJson);
  const base = (r: ResourceRecord) => ({
    id: r.id,
    source: { type: r.source },
    tasks: tasksOf(r),
    created_at: iso(r.createdAt),
    last_updated: iso(r.updatedAt),
  });
  const of = (type: ResourceRecord['type']) => bundle.resources.filter((r) => r.type === type);
  const documentJson = (r: ResourceRecord) =>
    compact({
      ...base(r),
      document_type: r.data.document_type,
      issuing_country: r.data.issuing_country,
      pages: (r.data.pages ?? []).map((p) =>
        compact({
          capture_method: p.capture_method,
          media: mediaJson(p.media_id, media),
          frames: p.frames.map((f) => compact({ media: mediaJson(f, media) })),
        }),
      ),
      document_fields: withMedia(r.data.document_fields_media_id, media),
      document_id_photo: withMedia(r.data.document_id_photo_media_id, media),
      expanded_document_fields: withMedia(r.data.expanded_document_fields_media_id, media),
    });
  return {
    id_documents: of('ID_DOCUMENT').map(documentJson),
    supplementary_documents: of('SUPPLEMENTARY_DOCUMENT').map(documentJson),
    liveness_capture: of('LIVENESS').map((r) =>
      r.data.zoom
        ? // Yoti's ZOOM shape: the audit frames (one per step met, the frontal CENTER frame first); no facemap, since
          // openidv builds no 3D face map (its evidence is the check's generated JSON media).
          compact({
            ...base(r),
            liveness_type: 'ZOOM',
            capture_method: r.data.capture_method,
            frames: r.data.zoom.frames.map((id) => ({ media: mediaJson(id, media) })),
          })
        : compact({
            ...base(r),
            liveness_type: r.data.liveness_type ?? 'STATIC',
            // openidv: how it was made (always CAMERA since issue 20; absent on captures stored before) and the burst's
            // frames as audit media. The SDKs read only the fields they know, so both are safe extras.
            capture_method: r.data.capture_method,
            image: withMedia(r.data.image_media_id, media),
            frames: r.data.burst
              ?.filter((b) => b.media_id !== r.data.image_media_id)
              .map((b) => ({ media: mediaJson(b.media_id, media) })),
          }),
    ),
    face_capture: of('FACE_CAPTURE').map((r) =>
      compact({ ...base(r), capture_method: r.data.capture_method, image: withMedia(r.data.image_media_id, media) }),
    ),
    applicant_profiles: [],
  };
}

/** SessionResultSchema: `GET /sessions/{id}` (spec 6.2). */
export function sessionResultJson(bundle: SessionBundle, now: number) {
  const { session } = bundle;
  const active = isTokenActive(session, now);
  return compact({
    client_session_token_ttl: tokenTtl(session, now),
    session_id: session.id,
    user_tracking_id: session.spec.user_tracking_id,
    state: effectiveState(session, bundle.resources, now),
    client_session_token: active ? session.clientToken : undefined,
    biometric_consent: session.biometricConsentAt !== null ? iso(session.biometricConsentAt) : undefined,
    resources: resourcesJson(bundle),
    checks: bundle.checks.map(checkJson),
  });
}

/** SessionConfigurationSchema: `GET /sessions/{id}/configuration` (spec 6.6). */
export function sessionConfigurationJson(session: SessionRecord, resources: ResourceRecord[], now: number) {
  const { spec } = session;
  const endUser = [{ type: 'END_USER' }];
  return {
    client_session_token_ttl: tokenTtl(session, now),
    session_id: session.id,
    requested_checks: spec.requested_checks.map((c) => c.type),
    capture: {
      biometric_consent:
        session.biometricConsentAt !== null ? 'GIVEN' : spec.block_biometric_consent ? 'BLOCKED' : 'REQUIRED',
      required_resources: session.requirements.map((req) => {
        const common = {
          type: req.type,
          id: req.id,
          state: isRequirementMet(req, resources) ? 'COMPLETED' : 'REQUIRED',
        };
        switch (req.type) {
          case 'ID_DOCUMENT':
            return {
              ...common,
              allowed_sources: endUser,
              allowed_capture_methods: spec.sdk_config.allowed_capture_methods,
              // Counts down as captures of this document fail to read (attempts_configuration); {} when none is set.
              attempts_remaining: attemptsRemaining(spec, req, resources),
              supported_countries: countriesFor(req.filter),
              requested_tasks: spec.requested_tasks.map((t) => ({ type: t.type, state: 'REQUIRED' })),
            };
          case 'SUPPLEMENTARY_DOCUMENT':
            return {
              ...common,
              allowed_sources: endUser,
              document_types: req.document_types ?? [],
              country_codes: req.country_codes ?? [],
              ...(req.objective ? { objective: req.objective } : {}),
              requested_tasks: [],
            };
          case 'LIVENESS':
            return { ...common, allowed_sources: endUser, liveness_type: req.liveness_type ?? 'STATIC' };
          case 'FACE_CAPTURE':
            return { ...common, allowed_sources: [{ type: 'RELYING_BUSINESS' }, { type: 'END_USER' }] };
        }
      }),
    },
  };
}
