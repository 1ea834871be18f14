import { AppError, validationError } from '../errors.js';
import { sniffImageType } from '../media/image-type.js';
import type { FaceEngine } from '../ports/face-engine.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import type { ModelSetChoice } from '../models/model-set-choice.js';
import {
  DEFAULT_FACE_QUALITY,
  type FaceQualityPolicy,
  requireSingleFace,
  type SelectedFace,
} from './enrolment-gate.js';
import { type PoolDecisionPolicy, poolDecisionPolicy } from './pool-threshold.js';
import { ModelSetMismatch, type PoolCandidate, type PoolSearch } from './pool-search.js';
import type { ApplicantRecord, FaceRecord, FaceSource, Page, PoolRecord, PoolSettings } from './pool.types.js';

export interface PoolServiceDeps {
  pools: PoolRepository;
  /** Session images an applicant may be enrolled from. */
  repos: Pick<Repositories, 'sessions' | 'media'>;
  media: MediaStore;
  engine: () => Promise<FaceEngine>;
  search: PoolSearch;
  /** The active set (new faces), the sets pools are on, and each set's calibration. */
  modelSets: Pick<ModelSetChoice, 'active' | 'inUse' | 'calibration'>;
  now: () => number;
  newId: () => string;
  quality?: FaceQualityPolicy;
  /** Called once an erasure has committed, to remove the copies a database keeps of deleted rows. */
  erased?: () => Promise<void>;
}

export type FaceInput = { data: string } | { bytes: Buffer } | { source: { session_id: string; media_id: string } };

export const DEFAULT_TOP_K = 5;
const PAGE_DEFAULT = 50;

/** An applicant with its faces and the pools it belongs to. */
export interface ApplicantView {
  applicant: ApplicantRecord;
  faces: FaceRecord[];
  pools: { id: string; label: string }[];
}

/**
 * A probe for a pool search: its embedding and the set it is from. `reembed` embeds the same face under another
 * set (the pool may be on another set than the probe: during a model migration, or after one); without it a probe
 * of another set finds nothing rather than being compared with faces of another model.
 */
export interface SearchProbe {
  embedding: Float32Array;
  modelSetId: string;
  reembed?: (modelSetId: string) => Promise<Float32Array | null>;
}

/** A pool at its current size, with the decision policy that size implies. */
export interface PoolView {
  pool: PoolRecord;
  size: number;
  policy: PoolDecisionPolicy;
  topK: number;
  modelSetId: string;
  calibrationDataset: string;
  /** The calibration of the set the pool is searched on. */
  calibration: ScoreCalibration;
}

/** What a search of a pool with an image found, and which face of the image it searched with. */
export interface ImageSearch {
  pool: PoolRecord;
  policy: PoolDecisionPolicy;
  modelSetId: string;
  candidates: PoolCandidate[];
  selected: SelectedFace;
}

function decodeBase64Image(data: string, property: string): Buffer {
  const trimmed = data.replace(/^data:[^,]*,/, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed.replace(/\s+/g, ''))) {
    throw validationError([{ property, message: 'must be base64-encoded image bytes' }]);
  }
  const bytes = Buffer.from(trimmed, 'base64');
  if (!bytes.length) throw validationError([{ property, message: 'is empty' }]);
  return bytes;
}

/** Applicants, their reference faces and the pools they are searched in (spec 3.4, plus listed extensions). */
export class PoolService {
  constructor(private readonly deps: PoolServiceDeps) {}

  private async requireApplicant(appId: string, id: string): Promise<ApplicantRecord> {
    const applicant = await this.deps.pools.getApplicant(appId, id);
    if (!applicant) throw new AppError('APPLICANT_NOT_FOUND');
    return applicant;
  }

  async requirePool(appId: string, id: string): Promise<PoolRecord> {
    const pool = await this.deps.pools.getPool(appId, id);
    if (!pool) throw new AppError('POOL_NOT_FOUND');
    return pool;
  }

  async applicantView(applicant: ApplicantRecord): Promise<ApplicantView> {
    const [faces, pools] = await Promise.all([
      this.deps.pools.listFaces(applicant.id),
      this.deps.pools.poolsOfApplicant(applicant.id),
    ]);
    return { applicant, faces, pools };
  }

  private async applicantViews(page: Page<ApplicantRecord>): Promise<Page<ApplicantView>> {
    return {
      items: await Promise.all(page.items.map((a) => this.applicantView(a))),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async createApplicant(appId: string, face?: FaceInput): Promise<ApplicantView & { selected?: SelectedFace }> {
    const { applicant, selections } = await this.createApplicantWithFaces(appId, face ? [face] : []);
    return { ...(await this.applicantView(applicant)), ...(selections[0] ? { selected: selections[0] } : {}) };
  }

  async getApplicant(appId: string, id: string): Promise<ApplicantView> {
    return this.applicantView(await this.requireApplicant(appId, id));
  }

  async listApplicants(appId: string, cursor?: string, limit = PAGE_DEFAULT): Promise<Page<ApplicantView>> {
    return this.applicantViews(await this.deps.pools.listApplicants(appId, cursor, limit));
  }

  /** Images first: if the store fails, the rows remain and the delete can be retried; never orphaned images. */
  async deleteApplicant(appId: string, id: string): Promise<void> {
    await this.requireApplicant(appId, id);
    await this.deps.media.deletePrefix(`${appId}/applicants/${id}/`);
    if (!(await this.deps.pools.deleteApplicant(appId, id, this.deps.now()))) throw new AppError('APPLICANT_NOT_FOUND');
    await this.deps.erased?.();
  }

  /** Reads the image, runs the face engine, picks the main face and applies the quality gate. */
  private async prepareFace(appId: string, input: FaceInput, property: string) {
    let bytes: Buffer;
    let source: FaceSource;
    if ('data' in input) {
      bytes = decodeBase64Image(input.data, `${property}.data`);
      source = { type: 'IMAGE' };
    } else if ('bytes' in input) {
      bytes = input.bytes;
      source = { type: 'IMAGE' };
    } else {
      const { session_id, media_id } = input.source;
      const session = await this.deps.repos.sessions.get(appId, session_id);
      const media = session ? await this.deps.repos.media.get(session_id, media_id) : null;
      const data = media?.type === 'IMAGE' ? await this.deps.media.get(media.storageKey) : null;
      if (!data) throw new AppError('MEDIA_NOT_FOUND', 'No image media with that id in a session of this app');
      bytes = data;
      source = { type: 'SESSION', session_id, media_id };
    }
    const contentType = sniffImageType(bytes);
    if (!contentType) throw new AppError('UNPROCESSABLE_IMAGE', 'The image must be a JPEG, PNG or WebP file');
    const engine = await this.deps.engine();
    // Embedded under every set in use: pools still on an older set (mid-migration) find the new face too.
    const [modelSetId, ...others] = await this.deps.modelSets.inUse();
    const analysis = await engine.analyse(bytes, { liveness: false, modelSetId, alsoEmbedWith: others });
    const selected = requireSingleFace(analysis, this.deps.quality ?? DEFAULT_FACE_QUALITY, 'dominant');
    return { bytes, contentType, source, face: selected.face, selected, modelSetId: analysis.modelSetId };
  }

  private async storeFace(
    applicant: ApplicantRecord,
    prepared: Awaited<ReturnType<PoolService['prepareFace']>>,
  ): Promise<FaceRecord> {
    const id = this.deps.newId();
    const imageKey = `${applicant.appId}/applicants/${applicant.id}/${id}`;
    await this.deps.media.put(imageKey, prepared.bytes, prepared.contentType);
    return this.deps.pools.addFace(
      {
        id,
        applicantId: applicant.id,
        appId: applicant.appId,
        modelSetId: prepared.modelSetId,
        embedding: prepared.face.embedding,
        quality: prepared.face.quality,
        imageKey,
        contentType: prepared.contentType,
        source: prepared.source,
        createdAt: this.deps.now(),
      },
      prepared.face.alsoEmbedded,
    );
  }

  /**
   * Analyses every face first, so an unusable image never leaves an empty applicant behind. `id` lets a
   * resumable bulk import choose the id before enrolling (exactly once across restarts). With `keepUsable`,
   * unusable images are reported instead of refusing the applicant, as long as one face is usable.
   */
  async createApplicantWithFaces(appId: string, inputs: FaceInput[], id?: string, keepUsable = false) {
    const prepared = [];
    const refused: { index: number; error: AppError }[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        prepared.push(await this.prepareFace(appId, input, 'face'));
      } catch (err) {
        if (!keepUsable || !(err instanceof AppError) || err.status !== 422) throw err;
        refused.push({ index, error: err });
      }
    }
    if (inputs.length && !prepared.length) throw refused[0]!.error;
    const now = this.deps.now();
    const applicant: ApplicantRecord = { id: id ?? this.deps.newId(), appId, createdAt: now, updatedAt: now };
    await this.deps.pools.createApplicant(applicant);
    for (const p of prepared) await this.storeFace(applicant, p);
    return { applicant, refused, selections: prepared.map((p) => p.selected) };
  }

  async addFace(
    appId: string,
    applicantId: string,
    input: FaceInput,
  ): Promise<{ face: FaceRecord; selected: SelectedFace }> {
    const applicant = await this.requireApplicant(appId, applicantId);
    const prepared = await this.prepareFace(appId, input, 'face');
    return { face: await this.storeFace(applicant, prepared), selected: prepared.selected };
  }

  async getFace(appId: string, applicantId: string, faceId: string) {
    const face = await this.deps.pools.getFace(appId, applicantId, faceId);
    const data = face ? await this.deps.media.get(face.imageKey) : null;
    if (!face || !data) throw new AppError('FACE_NOT_FOUND');
    return { face: { id: face.id, data: data.toString('base64'), content_type: face.contentType } };
  }

  /** The applicant's face record itself (the FACE_COMPARISON reference). */
  async archetypeFace(appId: string, applicantId: string): Promise<FaceRecord> {
    await this.requireApplicant(appId, applicantId);
    const [face] = await this.deps.pools.listFaces(applicantId);
    if (!face) throw new AppError('FACE_NOT_FOUND', 'The applicant has no face');
    return face;
  }

  async deleteFace(appId: string, applicantId: string, faceId: string): Promise<void> {
    const face = await this.deps.pools.getFace(appId, applicantId, faceId);
    if (!face) throw new AppError('FACE_NOT_FOUND');
    await this.deps.media.delete(face.imageKey);
    await this.deps.pools.deleteFace(appId, applicantId, faceId, this.deps.now());
    await this.deps.erased?.();
  }

  async createPool(appId: string, label: string, settings: PoolSettings = {}): Promise<PoolRecord> {
    const now = this.deps.now();
    const modelSetId = await this.deps.modelSets.active();
    const pool: PoolRecord = {
      id: this.deps.newId(),
      appId,
      label,
      settings,
      modelSetId,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.pools.createPool(pool);
    return pool;
  }

  /** The pool at its current size (the index brought up to date first) and the policy that size implies. */
  async poolView(pool: PoolRecord): Promise<PoolView> {
    const modelSetId = (await this.deps.search.modelSetOf(pool.id)) ?? pool.modelSetId;
    const size = this.deps.search.size(pool.id);
    const calibration = await this.deps.modelSets.calibration(modelSetId);
    return {
      pool,
      size,
      policy: poolDecisionPolicy(pool.settings, size, calibration),
      topK: pool.settings.top_k ?? DEFAULT_TOP_K,
      modelSetId,
      calibrationDataset: calibration.dataset,
      calibration,
    };
  }

  async getPool(appId: string, id: string): Promise<PoolView> {
    return this.poolView(await this.requirePool(appId, id));
  }

  async updatePool(appId: string, id: string, settings: PoolSettings, label?: string): Promise<PoolView> {
    const pool = await this.requirePool(appId, id);
    const merged: PoolSettings = { ...pool.settings };
    for (const key of ['threshold', 'target_fpir', 'top_k'] as const) {
      if (key in settings) {
        const value = settings[key];
        if (value === null || value === undefined) delete merged[key];
        else merged[key] = value;
      }
    }
    await this.deps.pools.updatePoolSettings(appId, id, merged, this.deps.now());
    return this.poolView({ ...pool, settings: merged, ...(label ? { label } : {}) });
  }

  async listPools(appId: string, cursor?: string, limit = PAGE_DEFAULT): Promise<Page<PoolRecord>> {
    return this.deps.pools.listPools(appId, cursor, limit);
  }

  async deletePool(appId: string, id: string): Promise<void> {
    if (!(await this.deps.pools.deletePool(appId, id, this.deps.now()))) throw new AppError('POOL_NOT_FOUND');
  }

  async addMember(appId: string, poolId: string, applicantId: string): Promise<void> {
    await this.requirePool(appId, poolId);
    await this.requireApplicant(appId, applicantId);
    await this.deps.pools.addMember(poolId, applicantId, this.deps.now());
  }

  async removeMember(appId: string, poolId: string, applicantId: string): Promise<void> {
    await this.requirePool(appId, poolId);
    await this.requireApplicant(appId, applicantId);
    if (!(await this.deps.pools.removeMember(poolId, applicantId, this.deps.now())))
      throw new AppError('APPLICANT_NOT_FOUND', 'The applicant is not in this pool');
  }

  async listMembers(
    appId: string,
    poolId: string,
    cursor?: string,
    limit = PAGE_DEFAULT,
  ): Promise<Page<ApplicantView>> {
    await this.requirePool(appId, poolId);
    return this.applicantViews(await this.deps.pools.listMembers(poolId, cursor, limit));
  }

  /**
   * Searches a pool with a probe; each candidate says whether it passes the pool's threshold, read off the
   * calibration of the set the pool is searched on. The probe is compared only with faces of its own set: when
   * the pool is on another (or switches while this runs), the probe is embedded again under the pool's set.
   */
  async searchEmbedding(pool: PoolRecord, probe: SearchProbe, topK?: number) {
    const k = topK ?? pool.settings.top_k ?? DEFAULT_TOP_K;
    let embedding = probe.embedding;
    let modelSetId = probe.modelSetId;
    for (let attempt = 0; ; attempt++) {
      const poolSet = (await this.deps.search.modelSetOf(pool.id)) ?? pool.modelSetId;
      if (poolSet !== modelSetId) {
        const again = probe.reembed ? await probe.reembed(poolSet) : null;
        if (!again)
          throw new AppError(
            'SERVICE_UNAVAILABLE',
            `The pool is searched on model set ${poolSet}; the face was embedded with ${modelSetId}`,
          );
        embedding = again;
        modelSetId = poolSet;
      }
      try {
        const candidates = await this.deps.search.search(pool.id, embedding, k, modelSetId);
        const calibration = await this.deps.modelSets.calibration(modelSetId);
        const policy = poolDecisionPolicy(pool.settings, this.deps.search.size(pool.id), calibration);
        return { candidates, policy, modelSetId, calibration };
      } catch (err) {
        // The pool switched between reading its set and searching: once more, under the new set.
        if (!(err instanceof ModelSetMismatch) || attempt >= 2) throw err;
      }
    }
  }

  /** Extension: search a pool with an image, for operators and for testing the index without a session. */
  async searchImage(appId: string, poolId: string, data: string, topK?: number): Promise<ImageSearch> {
    const pool = await this.requirePool(appId, poolId);
    const bytes = decodeBase64Image(data, 'image.data');
    if (!sniffImageType(bytes)) throw new AppError('UNPROCESSABLE_IMAGE', 'The image must be a JPEG, PNG or WebP file');
    const engine = await this.deps.engine();
    const first = (await this.deps.search.modelSetOf(pool.id)) ?? pool.modelSetId;
    const analysis = await engine.analyse(bytes, { liveness: false, modelSetId: first });
    const selected = requireSingleFace(analysis, this.deps.quality ?? DEFAULT_FACE_QUALITY, 'dominant');
    const reembed = async (modelSetId: string) => {
      const again = await engine.analyse(bytes, { liveness: false, modelSetId });
      return requireSingleFace(again, this.deps.quality ?? DEFAULT_FACE_QUALITY, 'dominant').face.embedding;
    };
    const found = await this.searchEmbedding(
      pool,
      { embedding: selected.face.embedding, modelSetId: analysis.modelSetId, reembed },
      topK,
    );
    return { pool, policy: found.policy, modelSetId: found.modelSetId, candidates: found.candidates, selected };
  }
}
