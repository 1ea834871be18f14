import { FaceEngineError, type FaceEngine } from '../ports/face-engine.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories, StoredFaceAnalysis } from '../ports/repositories.port.js';
import { type FaceChoice, type FaceQualityPolicy, type FaceRefusal, pickSingleFace, type SelectedFace } from '../pools/enrolment-gate.js';
import type { MediaRecord } from '../sessions/session.types.js';

export type FaceOutcome = SelectedFace | { refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string };

/** Engine errors that mean the image itself is bad (as opposed to the engine being unavailable). */
const IMAGE_ERRORS = new Set(['IMAGE_UNSUPPORTED_FORMAT', 'IMAGE_CORRUPT', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_SMALL']);

/**
 * Face analyses of session images, computed once and stored, so liveness, search and matching read the same
 * faces and a retried job does not run the models again.
 */
export class FaceEvidence {
  constructor(
    private readonly deps: {
      repos: Repositories;
      media: MediaStore;
      engine: () => Promise<FaceEngine>;
      now: () => number;
      quality: FaceQualityPolicy;
    },
  ) {}

  async analyse(media: MediaRecord): Promise<StoredFaceAnalysis> {
    const cached = await this.deps.repos.analyses.get(media.id);
    if (cached) return cached;
    const bytes = await this.deps.media.get(media.storageKey);
    let stored: StoredFaceAnalysis;
    const base = { mediaId: media.id, sessionId: media.sessionId, createdAt: this.deps.now() };
    if (!bytes) {
      stored = { ...base, analysis: { modelSetId: '', width: 0, height: 0, rotation: 0, faces: [] }, imageError: 'MEDIA_MISSING' };
    } else {
      try {
        const engine = await this.deps.engine();
        stored = { ...base, analysis: await engine.analyse(bytes, { liveness: true }), imageError: null };
      } catch (err) {
        // An unreadable image is a result (NOT_AVAILABLE); an unavailable engine is retried by the queue.
        if (!(err instanceof FaceEngineError) || !IMAGE_ERRORS.has(err.code)) throw err;
        stored = { ...base, analysis: { modelSetId: '', width: 0, height: 0, rotation: 0, faces: [] }, imageError: err.code };
      }
    }
    await this.deps.repos.analyses.save(stored);
    return stored;
  }

  /** The usable face of an image (a selfie, a search probe, a reference; see FaceChoice), or why there is none. */
  async singleFace(media: MediaRecord | null, choice: FaceChoice = 'single'): Promise<FaceOutcome> {
    if (!media) return { refusal: 'MISSING', detail: 'no image was captured' };
    const stored = await this.analyse(media);
    if (stored.imageError) return { refusal: 'UNREADABLE', detail: `the image could not be read (${stored.imageError})` };
    return pickSingleFace(stored.analysis, this.deps.quality, choice);
  }

  /** The largest face of a document image (its portrait), or why there is none. */
  async largestFace(media: MediaRecord | null): Promise<FaceOutcome> {
    if (!media) return { refusal: 'MISSING', detail: 'no document image was captured' };
    const stored = await this.analyse(media);
    if (stored.imageError) return { refusal: 'UNREADABLE', detail: `the image could not be read (${stored.imageError})` };
    const [face, ...others] = stored.analysis.faces;
    return face ? { face, others: others.map((f) => f.box) } : { refusal: 'NO_FACE_DETECTED', detail: 'no portrait was found on the document' };
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
