import { AppError, validationError } from '../errors.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import type { PoolService } from '../pools/pool.service.js';
import { poolReviewBand, type PoolSettingsWithReview } from '../pools/review-band.js';
import type { PoolRecord } from '../pools/pool.types.js';
import type { SessionRecord } from '../sessions/session.types.js';

/** What the console does to pools beyond the public API: blocklist a session's selfie, set the review band. */
export class PoolAdminService {
  constructor(
    private readonly deps: {
      pools: PoolService;
      poolRepo: PoolRepository;
      calibration: ScoreCalibration;
      media: MediaStore;
      now: () => number;
    },
  ) {}

  /** Size, thresholds, expected error rates and the review band of a pool at its current size. */
  async overview(pool: PoolRecord) {
    const view = await this.deps.pools.poolView(pool);
    return { ...view, band: poolReviewBand(pool.settings, view.size, view.calibration, view.policy) };
  }

  /** Enrols a session image as a new applicant of the pool ("add to blocklist"). */
  async addSessionFace(session: SessionRecord, mediaId: string, poolId: string): Promise<string> {
    await this.deps.pools.requirePool(session.appId, poolId);
    const { applicant } = await this.deps.pools.createApplicantWithFaces(session.appId, [
      { source: { session_id: session.id, media_id: mediaId } },
    ]);
    await this.deps.pools.addMember(session.appId, poolId, applicant.id);
    return applicant.id;
  }

  async setReviewTargetFpir(pool: PoolRecord, value: number | null): Promise<void> {
    if (value !== null && !(value > 0 && value < 1))
      throw validationError([{ property: 'review_target_fpir', message: 'must be a number between 0 and 1' }]);
    const settings: PoolSettingsWithReview = { ...pool.settings };
    if (value === null) delete settings.review_target_fpir;
    else settings.review_target_fpir = value;
    await this.deps.poolRepo.updatePoolSettings(pool.appId, pool.id, settings, this.deps.now());
  }

  /** An enrolled face's image, if the face belongs to the applicant and the applicant to the pool's app. */
  async faceImage(
    pool: PoolRecord,
    applicantId: string,
    faceId: string,
  ): Promise<{ contentType: string; data: Buffer }> {
    const face = await this.deps.poolRepo.getFace(pool.appId, applicantId, faceId);
    const data = face ? await this.deps.media.get(face.imageKey) : null;
    if (!face || !data) throw new AppError('FACE_NOT_FOUND');
    return { contentType: face.contentType, data };
  }

  async requirePoolOfApps(poolId: string, appIds: string[]): Promise<PoolRecord> {
    for (const appId of appIds) {
      const pool = await this.deps.poolRepo.getPool(appId, poolId);
      if (pool) return pool;
    }
    throw new AppError('POOL_NOT_FOUND');
  }
}
