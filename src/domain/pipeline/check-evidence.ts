import type { CheckEvidence, Comparable, DocumentEvidence } from '../checks/check-definition.js';
import type { FaceMatchEvidence } from '../checks/face-match.verdict.js';
import { faceMatchReviewBand, livenessReviewBand } from '../checks/manual-check.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import type { PoolService } from '../pools/pool.service.js';
import { poolReviewBand } from '../pools/review-band.js';
import type { PoolRecord } from '../pools/pool.types.js';
import { assessBurst, type BurstFrame, type BurstVerdict } from '../checks/static-burst.js';
import type { MediaRecord, ResourceRecord, SessionBundle } from '../sessions/session.types.js';
import type { ModelSetChoice } from '../models/model-set-choice.js';
import { cosine, type FaceEvidence, type UsableFace } from './face-evidence.js';

/** No document reading in this process (a setup without the document reader): the document checks say so. */
const NO_DOCUMENTS: DocumentEvidence = {
  reading: async () => null,
  portrait: async () => null,
};

/** What the check definitions gather their evidence from: the session's captures, faces, pools and documents. */
export class SessionEvidence implements CheckEvidence {
  constructor(
    private readonly deps: {
      repos: Pick<Repositories, 'challenges' | 'media'>;
      poolRepo: Pick<PoolRepository, 'getPool' | 'getFace'>;
      pools: Pick<PoolService, 'searchEmbedding'>;
      faces: FaceEvidence;
      documents?: DocumentEvidence;
      /** The calibration in force (review bands); each comparison reads its own set's from `modelSets`. */
      calibration: ScoreCalibration;
      modelSets: Pick<ModelSetChoice, 'calibration'>;
      /** An applicant face's embedding under another set than its own (a migration's re-embedding). */
      embeddingOf: (faceKey: number, modelSetId: string) => Promise<Float32Array | null>;
      livenessThreshold: number;
      now: () => number;
    },
  ) {}

  private bands?: CheckEvidence['reviewBands'];

  get faces() {
    return this.deps.faces;
  }

  get documents() {
    return this.deps.documents ?? NO_DOCUMENTS;
  }

  get livenessThreshold() {
    return this.deps.livenessThreshold;
  }

  /** Computed on first use: the calibration is loaded lazily. */
  get reviewBands() {
    this.bands ??= {
      liveness: livenessReviewBand(this.deps.livenessThreshold),
      faceMatch: faceMatchReviewBand(this.deps.calibration),
    };
    return this.bands;
  }

  now(): number {
    return this.deps.now();
  }

  mediaOf(bundle: SessionBundle, id: string | undefined): MediaRecord | null {
    return (id && bundle.media.find((m) => m.id === id)) || null;
  }

  selfie(bundle: SessionBundle): { resource: ResourceRecord | null; media: MediaRecord | null } {
    const liveness = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.image_media_id).at(-1);
    const capture = bundle.resources
      .filter((r) => r.type === 'FACE_CAPTURE' && r.source === 'END_USER' && r.data.image_media_id)
      .at(-1);
    const resource = liveness ?? capture ?? null;
    return { resource, media: this.mediaOf(bundle, resource?.data.image_media_id) };
  }

  async referenceFace(bundle: SessionBundle, reference: ResourceRecord): Promise<Comparable> {
    if (reference.data.applicant_face_id && reference.data.applicant_id) {
      const face = await this.deps.poolRepo.getFace(
        bundle.session.appId,
        reference.data.applicant_id,
        reference.data.applicant_face_id,
      );
      if (!face) return { refusal: 'MISSING', detail: "the applicant's face no longer exists" };
      return {
        face: { embedding: face.embedding },
        modelSetId: face.modelSetId,
        under: (set) => this.deps.embeddingOf(face.key, set),
      };
    }
    return this.deps.faces.singleFace(this.mediaOf(bundle, reference.data.image_media_id), 'dominant');
  }

  async compare(selfie: Comparable, reference: Comparable | null, missingReason: string): Promise<FaceMatchEvidence> {
    if (!('face' in selfie))
      return { kind: 'unusable', side: 'selfie', refusal: selfie.refusal, detail: selfie.detail };
    if (!reference)
      return {
        kind: 'unusable',
        side: 'reference',
        refusal: 'MISSING',
        detail: 'no reference image',
        reason: missingReason,
      };
    if (!('face' in reference))
      return { kind: 'unusable', side: 'reference', refusal: reference.refusal, detail: reference.detail };
    const pair = await sameSet(selfie, reference);
    if (!pair) {
      return {
        kind: 'unusable',
        side: 'reference',
        refusal: 'UNREADABLE',
        detail: 'the two faces were embedded by different face models and could not be embedded again',
      };
    }
    // Faces of a set other than the shipped one are judged by that set's calibration.
    const calibration = pair.modelSetId
      ? await this.deps.modelSets.calibration(pair.modelSetId)
      : this.deps.calibration;
    const own = calibration === this.deps.calibration;
    return {
      kind: 'compared',
      similarity: cosine(pair.selfie, pair.reference),
      threshold: calibration.oneToOneThreshold,
      referenceOtherFaces: reference.others?.length ?? 0,
      ...(own ? {} : { band: faceMatchReviewBand(calibration) }),
    };
  }

  /**
   * payload_signature_verification of a STATIC capture: it came through a server-issued liveness challenge of this
   * session and requirement, used once before it expired, for exactly this still; no frame of it was seen before
   * (in another session, or in an earlier attempt of this one); and its frames are one live scene (assessBurst).
   */
  async verifyBurst(bundle: SessionBundle, resource: ResourceRecord | null): Promise<BurstVerdict> {
    const still = this.mediaOf(bundle, resource?.data.image_media_id);
    if (!resource || !still) return { pass: false, reason: 'no capture', details: {} };
    const { challenge_id: challengeId, burst } = resource.data;
    if (resource.data.capture_method !== 'CAMERA' || !challengeId || !burst?.length) {
      return {
        pass: false,
        reason: 'the capture did not come from the live camera through a liveness challenge',
        details: {},
      };
    }
    const challenge = await this.deps.repos.challenges.get(bundle.session.id, challengeId);
    const bound =
      challenge !== null &&
      challenge.usedAt !== null &&
      challenge.usedAt <= challenge.expiresAt &&
      challenge.mediaSha256 === still.sha256 &&
      challenge.requirementId === resource.requirementId &&
      challenge.livenessType === 'STATIC';
    if (!bound)
      return {
        pass: false,
        reason: 'the capture is not bound to a valid liveness challenge',
        details: { challenge: 'INVALID' },
      };
    const media = burst.map((b) => this.mediaOf(bundle, b.media_id));
    if (media.some((m) => m === null))
      return { pass: false, reason: 'a frame of the burst is missing', details: { challenge: 'VALID' } };
    const ours = new Set(burst.map((b) => b.media_id));
    for (const m of media as MediaRecord[]) {
      // A frame sent before (an earlier attempt's burst replayed under a fresh challenge) is not a live frame.
      if (bundle.media.some((other) => other.sha256 === m.sha256 && !ours.has(other.id))) {
        return {
          pass: false,
          reason: 'a frame of the burst was already sent in an earlier capture of this session',
          details: { challenge: 'VALID' },
        };
      }
      if ((await this.deps.repos.media.countOtherSessionsWithDigest(bundle.session.id, m.sha256)) > 0) {
        return {
          pass: false,
          reason: 'a frame of the burst was submitted in another session',
          details: { challenge: 'VALID' },
        };
      }
    }
    const frames: BurstFrame[] = [];
    for (const [i, m] of (media as MediaRecord[]).entries()) {
      const stored = await this.deps.faces.analyse(m);
      const { analysis } = stored;
      frames.push({
        sha256: m.sha256,
        width: analysis.width,
        height: analysis.height,
        faces: stored.imageError ? null : analysis.faces,
        offsetMs: burst[i]!.offset_ms,
      });
    }
    const verdict = assessBurst(frames, {
      issuedAt: challenge!.createdAt,
      usedAt: challenge!.usedAt!,
      expiresAt: challenge!.expiresAt,
    });
    return { ...verdict, details: { challenge: 'VALID', ...verdict.details } };
  }

  pool(appId: string, poolId: string): Promise<PoolRecord | null> {
    return this.deps.poolRepo.getPool(appId, poolId);
  }

  async searchPool(pool: PoolRecord, probe: UsableFace) {
    const { candidates, policy, calibration } = await this.deps.pools.searchEmbedding(pool, {
      embedding: probe.face.embedding,
      modelSetId: probe.modelSetId ?? pool.modelSetId,
      ...(probe.under ? { reembed: probe.under } : {}),
    });
    return { candidates, policy, band: poolReviewBand(pool.settings, policy.poolSize, calibration, policy) };
  }
}

type ComparableFace = Extract<Comparable, { face: unknown }>;

/**
 * Both faces' embeddings under one set: as they are when their sets agree (or are unknown), else one of them
 * embedded again under the other's set. Null when neither can be.
 */
async function sameSet(
  a: ComparableFace,
  b: ComparableFace,
): Promise<{ selfie: Float32Array; reference: Float32Array; modelSetId?: string } | null> {
  if (!a.modelSetId || !b.modelSetId || a.modelSetId === b.modelSetId) {
    const modelSetId = a.modelSetId ?? b.modelSetId;
    return { selfie: a.face.embedding, reference: b.face.embedding, ...(modelSetId ? { modelSetId } : {}) };
  }
  const reference = await b.under?.(a.modelSetId);
  if (reference) return { selfie: a.face.embedding, reference, modelSetId: a.modelSetId };
  const selfie = await a.under?.(b.modelSetId);
  if (selfie) return { selfie, reference: b.face.embedding, modelSetId: b.modelSetId };
  return null;
}
