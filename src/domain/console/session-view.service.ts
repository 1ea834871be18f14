import { AppError } from '../errors.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { Repositories, WebhookDelivery } from '../ports/repositories.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import { DEFAULT_FACE_QUALITY, pickSingleFace } from '../pools/enrolment-gate.js';
import type { PoolDecisionPolicy } from '../pools/pool-threshold.js';
import type { PoolService } from '../pools/pool.service.js';
import { poolReviewBand, type ReviewBand } from '../pools/review-band.js';
import type { ReviewItem } from '../review/review.types.js';
import type { ReviewService } from '../review/review.service.js';
import { mediaKey } from '../media/session-media.js';
import type {
  CheckRecord,
  MediaRecord,
  ResourceRecord,
  SessionBundle,
  SessionRecord,
} from '../sessions/session.types.js';
import { checkName, checkSummary } from './report-words.js';

export interface TimelineEntry {
  at: number;
  what: string;
}

export interface SessionImage {
  mediaId: string;
  label: string;
}

export interface FfsComparison {
  checkId: string;
  poolId: string;
  poolLabel: string | null;
  probeMediaId: string | null;
  /** Why there is nothing to compare (no pool, no usable selfie face). */
  unavailable: string | null;
  policy: PoolDecisionPolicy | null;
  band: ReviewBand | null;
  candidates: {
    applicantId: string;
    faceId: string;
    similarity: number;
    match: boolean;
    inBand: boolean;
    faceIds: string[];
  }[];
}

export interface DocumentFieldsView {
  mediaId: string;
  fields: [string, string][];
  /** Field name → how it was verified (check-digit, format, none). */
  verification: [string, string][];
  note: string | null;
}

export interface SessionView {
  session: SessionRecord;
  bundle: SessionBundle;
  checks: (ReturnType<typeof checkSummary> & { id: string; type: string })[];
  images: SessionImage[];
  documents: DocumentFieldsView[];
  ffs: FfsComparison[];
  timeline: TimelineEntry[];
  webhooks: WebhookDelivery[];
  reviews: ReviewItem[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Everything the console's session page shows, gathered from the session's records (one session at a time). */
export class SessionViewService {
  constructor(
    private readonly deps: {
      repos: Pick<Repositories, 'sessions' | 'media' | 'analyses' | 'devices' | 'webhooks'>;
      poolRepo: PoolRepository;
      pools: PoolService;
      media: MediaStore;
      calibration: ScoreCalibration;
      reviews: ReviewService;
    },
  ) {}

  /** The session if the reader may see its app; otherwise the same 404 as an unknown id. */
  async require(id: string, mayAccess: (appId: string) => boolean): Promise<SessionRecord> {
    const session = id.length <= 200 ? await this.deps.repos.sessions.getById(id) : null;
    if (!session || !mayAccess(session.appId)) throw new AppError('SESSION_NOT_FOUND');
    return session;
  }

  async view(session: SessionRecord): Promise<SessionView> {
    const { repos } = this.deps;
    const [bundle, devices, webhooks, reviews] = await Promise.all([
      repos.sessions.bundle(session),
      repos.devices.list(session.id),
      repos.webhooks.list(session.id),
      this.deps.reviews.forSession(session.id),
    ]);
    const ffs = await Promise.all(
      bundle.checks.filter((c) => c.type === 'FAMILIAR_FACE_SEARCH').map((c) => this.familiarFaceSearch(c, bundle)),
    );
    return {
      session,
      bundle,
      checks: bundle.checks.map((c) => ({ id: c.id, type: c.type, ...checkSummary(c) })),
      images: this.images(bundle),
      documents: await this.documents(bundle),
      ffs,
      timeline: timeline(bundle, devices, webhooks, reviews),
      webhooks,
      reviews,
    };
  }

  /** A session image's bytes, for the console's image route (the caller has checked access and audits the view). */
  async image(
    session: SessionRecord,
    mediaId: string,
  ): Promise<{ contentType: string; data: Buffer; media: MediaRecord }> {
    const media = await this.deps.repos.media.get(session.id, mediaId);
    const data = media?.type === 'IMAGE' ? await this.deps.media.get(mediaKey(media)) : null;
    if (!media || !data) throw new AppError('MEDIA_NOT_FOUND');
    return { contentType: media.contentType, data, media };
  }

  private images(bundle: SessionBundle): SessionImage[] {
    const images: SessionImage[] = [];
    const seen = new Set<string>();
    const add = (id: string | undefined, label: string) => {
      const media = id ? bundle.media.find((m) => m.id === id) : undefined;
      if (media?.type !== 'IMAGE' || seen.has(media.id)) return;
      seen.add(media.id);
      images.push({ mediaId: media.id, label });
    };
    for (const r of bundle.resources) {
      if (r.type === 'LIVENESS' || r.type === 'FACE_CAPTURE')
        add(
          r.data.image_media_id,
          r.type === 'LIVENESS' ? 'Selfie (liveness capture)' : r.source === 'END_USER' ? 'Selfie' : 'Reference face',
        );
      r.data.pages?.forEach((p, i) => {
        add(p.media_id, `${docLabel(r)} page ${i + 1}`);
        p.frames.forEach((f, j) => add(f, `${docLabel(r)} page ${i + 1}, frame ${j + 1}`));
      });
      add(r.data.document_id_photo_media_id, `${docLabel(r)} portrait crop`);
    }
    for (const m of bundle.media) add(m.id, 'Other image');
    return images;
  }

  private async documents(bundle: SessionBundle): Promise<DocumentFieldsView[]> {
    const views: DocumentFieldsView[] = [];
    for (const r of bundle.resources) {
      const media = r.data.document_fields_media_id
        ? bundle.media.find((m) => m.id === r.data.document_fields_media_id)
        : undefined;
      const bytes = media ? await this.deps.media.get(mediaKey(media)) : null;
      if (!media || !bytes) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      } catch {
        continue;
      }
      const verification = (parsed.verification ?? {}) as { fields?: Record<string, string>; note?: string };
      const fields = Object.entries(parsed)
        .filter(([k, v]) => k !== 'verification' && k !== 'mrz' && (typeof v === 'string' || typeof v === 'number'))
        .map(([k, v]): [string, string] => [k, String(v)]);
      views.push({
        mediaId: media.id,
        fields,
        verification: Object.entries(verification.fields ?? {}),
        note: verification.note ?? null,
      });
    }
    return views;
  }

  /**
   * The probe face beside each candidate, searched again now (the report keeps only rounded scores): the pool may
   * have changed since the check ran, which the page says.
   */
  private async familiarFaceSearch(check: CheckRecord, bundle: SessionBundle): Promise<FfsComparison> {
    const poolId = String(check.config.pool_id);
    const pool = await this.deps.poolRepo.getPool(bundle.session.appId, poolId);
    const resource = bundle.resources.find((r) => check.resourcesUsed.includes(r.id)) ?? selfieResource(bundle);
    const probeMediaId = resource?.data.image_media_id ?? null;
    const base = {
      checkId: check.id,
      poolId,
      poolLabel: pool?.label ?? null,
      probeMediaId,
      policy: null,
      band: null,
      candidates: [],
    };
    if (!pool) return { ...base, unavailable: 'The pool no longer exists.' };
    const stored = probeMediaId ? await this.deps.repos.analyses.get(probeMediaId) : null;
    const verdict = stored && !stored.imageError ? pickSingleFace(stored.analysis, DEFAULT_FACE_QUALITY) : null;
    if (!verdict || !('face' in verdict))
      return { ...base, unavailable: 'The selfie has no usable face to search with.' };
    // The page compares only faces of one set: a pool now on another set than the selfie's analysis says so.
    let found: Awaited<ReturnType<PoolService['searchEmbedding']>>;
    try {
      found = await this.deps.pools.searchEmbedding(pool, {
        embedding: verdict.face.embedding,
        modelSetId: stored!.analysis.modelSetId,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'SERVICE_UNAVAILABLE')
        return { ...base, unavailable: 'The pool is now on another face model than this selfie was analysed with.' };
      throw err;
    }
    const { candidates, policy, calibration } = found;
    const band = poolReviewBand(pool.settings, policy.poolSize, calibration, policy);
    return {
      ...base,
      unavailable: null,
      policy,
      band,
      candidates: await Promise.all(
        candidates.map(async (c) => ({
          applicantId: c.applicantId,
          faceId: c.faceId,
          similarity: round2(c.similarity),
          match: c.similarity >= policy.threshold,
          inBand: !band.empty && c.similarity >= band.lower && c.similarity < band.upper,
          faceIds: (await this.deps.poolRepo.listFaces(c.applicantId)).map((f) => f.id),
        })),
      ),
    };
  }
}

function docLabel(r: ResourceRecord): string {
  return [r.data.issuing_country, (r.data.document_type ?? 'Document').replace(/_/g, ' ').toLowerCase()]
    .filter(Boolean)
    .join(' ');
}

function selfieResource(bundle: SessionBundle): ResourceRecord | undefined {
  return bundle.resources
    .filter(
      (r) => (r.type === 'LIVENESS' || (r.type === 'FACE_CAPTURE' && r.source === 'END_USER')) && r.data.image_media_id,
    )
    .at(-1);
}

function timeline(
  bundle: SessionBundle,
  devices: { event: string; createdAt: number }[],
  webhooks: WebhookDelivery[],
  reviews: ReviewItem[],
): TimelineEntry[] {
  const s = bundle.session;
  const entries: TimelineEntry[] = [{ at: s.createdAt, what: 'Session created' }];
  if (s.biometricConsentAt) entries.push({ at: s.biometricConsentAt, what: 'The user gave biometric consent' });
  for (const r of bundle.resources)
    entries.push({
      at: r.createdAt,
      what: `${r.type.replace(/_/g, ' ').toLowerCase()} capture started (${r.source === 'END_USER' ? 'user' : 'relying business'})`,
    });
  for (const d of devices) entries.push({ at: d.createdAt, what: `Device event: ${d.event}` });
  if (s.finishedAt) entries.push({ at: s.finishedAt, what: 'The user finished the capture' });
  for (const t of bundle.tasks)
    if (t.state === 'DONE') entries.push({ at: t.updatedAt, what: `${checkName(t.type)} done` });
  for (const c of bundle.checks)
    if (c.state === 'DONE')
      entries.push({ at: c.updatedAt, what: `${checkName(c.type)} done: ${c.report?.recommendation.value ?? ''}` });
  for (const r of reviews) {
    entries.push({ at: r.createdAt, what: `${checkName(r.checkType)} sent to review (${r.reason})` });
    if (r.firstAt) entries.push({ at: r.firstAt, what: `${r.firstBy} rejected; waiting for a second reviewer` });
    if (r.decidedAt) entries.push({ at: r.decidedAt, what: `${r.decidedBy} decided ${r.decision}` });
  }
  if (s.completedAt) entries.push({ at: s.completedAt, what: 'Session completed' });
  for (const w of webhooks)
    entries.push({
      at: w.createdAt,
      what: `Webhook ${w.topic}: ${w.state}${w.lastStatus ? ` (HTTP ${w.lastStatus})` : ''}`,
    });
  return entries.sort((a, b) => a.at - b.at);
}
