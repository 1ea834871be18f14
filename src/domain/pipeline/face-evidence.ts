import { IMAGE_ERROR_CODES } from '../media/image-refusal.js';
import { FaceEngineError, type FaceAnalysis, type FaceEngine } from '../ports/face-engine.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories, StoredFaceAnalysis } from '../ports/repositories.port.js';
import {
  type FaceChoice,
  type FaceQualityPolicy,
  type FaceRefusal,
  pickSingleFace,
  type SelectedFace,
} from '../pools/enrolment-gate.js';
import type { MediaRecord } from '../sessions/session.types.js';

/**
 * A usable face, with the model set its embedding is from and a way to embed the same face under another set
 * (the image analysed again: a pool or a reference may be on another set than the session's analysis).
 */
export type UsableFace = SelectedFace & {
  modelSetId?: string;
  under?: (modelSetId: string) => Promise<Float32Array | null>;
};

export type FaceOutcome = UsableFace | { refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string };

export type FaceExamination = Pick<StoredFaceAnalysis, 'analysis' | 'imageError'>;

const NO_FACES: FaceAnalysis = { modelSetId: '', width: 0, height: 0, rotation: 0, faces: [] };

/**
 * Face analyses of session images, computed once and stored, so liveness, search and matching read the same
 * faces and a retried job does not run the models again.
 */
export class FaceEvidence {
  constructor(
    private readonly deps: {
      repos: Pick<Repositories, 'analyses'>;
      media: Pick<MediaStore, 'get'>;
      engine: () => Promise<FaceEngine>;
      now: () => number;
      quality: FaceQualityPolicy;
      /** The set session images are embedded with (the active one); the engine's default when absent. */
      modelSet?: () => Promise<string>;
    },
  ) {}

  /**
   * Runs the engine on image bytes (stored or not yet): the analysis, or the image error code that makes the image
   * unusable. An unavailable or overloaded engine is thrown, not reported: the caller retries later.
   */
  async examine(bytes: Uint8Array): Promise<FaceExamination> {
    try {
      const engine = await this.deps.engine();
      const modelSetId = await this.deps.modelSet?.();
      return {
        analysis: await engine.analyse(bytes, { liveness: true, ...(modelSetId ? { modelSetId } : {}) }),
        imageError: null,
      };
    } catch (err) {
      if (!(err instanceof FaceEngineError) || !IMAGE_ERROR_CODES.has(err.code)) throw err;
      return { analysis: NO_FACES, imageError: err.code };
    }
  }

  /** Stores what examine() found for a stored image, so every check reads the same result. */
  async keep(media: MediaRecord, examined: FaceExamination): Promise<StoredFaceAnalysis> {
    const stored: StoredFaceAnalysis = {
      mediaId: media.id,
      sessionId: media.sessionId,
      createdAt: this.deps.now(),
      ...examined,
    };
    await this.deps.repos.analyses.save(stored);
    return stored;
  }

  async analyse(media: MediaRecord): Promise<StoredFaceAnalysis> {
    const cached = await this.deps.repos.analyses.get(media.id);
    if (cached) return cached;
    const bytes = await this.deps.media.get(media.storageKey);
    // An unreadable image is a result (NOT_AVAILABLE); an unavailable engine is retried by the queue.
    return this.keep(media, bytes ? await this.examine(bytes) : { analysis: NO_FACES, imageError: 'MEDIA_MISSING' });
  }

  /** The usable face of an image (a selfie, a search probe, a reference; see FaceChoice), or why there is none. */
  async singleFace(media: MediaRecord | null, choice: FaceChoice = 'single'): Promise<FaceOutcome> {
    if (!media) return { refusal: 'MISSING', detail: 'no image was captured' };
    const stored = await this.analyse(media);
    if (stored.imageError)
      return { refusal: 'UNREADABLE', detail: `the image could not be read (${stored.imageError})` };
    const picked = pickSingleFace(stored.analysis, this.deps.quality, choice);
    if (!('face' in picked)) return picked;
    return { ...picked, modelSetId: stored.analysis.modelSetId, under: (set) => this.embedUnder(media, set, choice) };
  }

  /**
   * The same image's face embedded under another set, not stored. The faces found and the choice among them are
   * the same under every set (the engine finds faces with the shipped models), so this is the same face.
   */
  private async embedUnder(media: MediaRecord, modelSetId: string, choice: FaceChoice): Promise<Float32Array | null> {
    const bytes = await this.deps.media.get(media.storageKey);
    if (!bytes) return null;
    const engine = await this.deps.engine();
    const analysis = await engine.analyse(bytes, { liveness: false, modelSetId });
    const picked = pickSingleFace(analysis, this.deps.quality, choice);
    return 'face' in picked ? picked.face.embedding : null;
  }

  /** The largest face of a document image (its portrait), or why there is none. */
  async largestFace(media: MediaRecord | null): Promise<FaceOutcome> {
    if (!media) return { refusal: 'MISSING', detail: 'no document image was captured' };
    const stored = await this.analyse(media);
    if (stored.imageError)
      return { refusal: 'UNREADABLE', detail: `the image could not be read (${stored.imageError})` };
    const [face, ...others] = stored.analysis.faces;
    return face
      ? { face, others: others.map((f) => f.box) }
      : { refusal: 'NO_FACE_DETECTED', detail: 'no portrait was found on the document' };
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
