import type { FaceEngine } from '../ports/face-engine.port.js';
import type { Job, JobQueue } from '../ports/job-queue.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { ModelSetRepository } from '../ports/model-set-repository.port.js';
import { cosine } from '../pipeline/face-evidence.js';
import type { ModelSetChoice } from './model-set-choice.js';

export const MODEL_MIGRATION_JOB = 'models.migrate';

export interface MigrationPayload {
  modelSetId: string;
  /** When the set was activated: a later activation of the same set is a migration of its own. */
  activatedAt: number;
  /** Faces up to this key are done. */
  afterKey: number;
}

/**
 * A stored face is the same face in a new analysis of its image when their embeddings under the face's own set
 * agree this closely. The same image through the same models gives 1.0 up to float noise; the closest other face
 * of a group photo stays far below (impostor scores of the shipped set reach 0.5 one time in a million).
 */
const SAME_FACE = 0.9;

/**
 * Re-embeds every stored face under the active model set, in the background, through the durable job queue: one
 * job per batch of faces (by face key), each enqueuing the next, so a killed worker resumes where the last batch
 * committed. After each batch, every pool whose members all have an embedding under the new set switches to it
 * (atomically, see ModelSetRepository.switchPool); until then its searches run on the old set.
 */
export class ModelMigration {
  constructor(
    private readonly deps: {
      repo: ModelSetRepository;
      choice: Pick<ModelSetChoice, 'active'>;
      queue: Pick<JobQueue, 'enqueue'>;
      media: Pick<MediaStore, 'get'>;
      engine: () => Promise<FaceEngine>;
      now: () => number;
      /** Faces per job. */
      batch?: number;
      warn?: (message: string, detail: Record<string, unknown>) => void;
    },
  ) {}

  /** Queues the migration of every face and pool to `modelSetId` (already made active). */
  async start(modelSetId: string, activatedAt: number): Promise<void> {
    await this.enqueue({ modelSetId, activatedAt, afterKey: 0 });
  }

  private enqueue(payload: MigrationPayload): Promise<void> {
    return this.deps.queue.enqueue({
      name: MODEL_MIGRATION_JOB,
      payload,
      maxAttempts: 20,
      dedupeKey: `${MODEL_MIGRATION_JOB}:${payload.modelSetId}:${payload.activatedAt}:${payload.afterKey}`,
    });
  }

  handlers(): Record<string, (payload: MigrationPayload, job: Job) => Promise<void>> {
    return { [MODEL_MIGRATION_JOB]: (payload) => this.run(payload) };
  }

  /** One batch: embed, switch the pools that are ready, queue the next batch. Safe to run twice. */
  async run(payload: MigrationPayload): Promise<void> {
    const { modelSetId, afterKey } = payload;
    // Another set was activated since: that activation's migration takes over.
    if ((await this.deps.choice.active()) !== modelSetId) return;
    const batch = this.deps.batch ?? 16;
    const faces = await this.deps.repo.facesToEmbed(modelSetId, afterKey, batch);
    const engine = await this.deps.engine();
    for (const face of faces) {
      const embedding = await this.embed(engine, face, modelSetId);
      if (embedding) await this.deps.repo.saveEmbedding(face.key, modelSetId, embedding, this.deps.now());
    }
    await this.switchReadyPools(modelSetId);
    const last = faces.at(-1);
    if (faces.length === batch && last) await this.enqueue({ ...payload, afterKey: last.key });
  }

  /** Pools whose every member face has an embedding under the set move to it now. */
  async switchReadyPools(modelSetId: string): Promise<number> {
    let switched = 0;
    for (const pool of await this.deps.repo.progress(modelSetId)) {
      if (
        pool.modelSetId !== modelSetId &&
        pool.embedded === pool.faces &&
        (await this.deps.repo.switchPool(pool.poolId, modelSetId, this.deps.now()))
      )
        switched++;
    }
    return switched;
  }

  /**
   * The face's embedding under the new set: its image analysed again, under its own set and the new one at once,
   * and the face recognised among those found by its stored embedding (the same image gives the same face).
   */
  private async embed(
    engine: FaceEngine,
    face: { key: number; imageKey: string; modelSetId: string; embedding: Float32Array },
    modelSetId: string,
  ) {
    const bytes = await this.deps.media.get(face.imageKey);
    if (!bytes) {
      this.deps.warn?.('face image missing: the face cannot be re-embedded and its pools stay on their set', {
        faceKey: face.key,
      });
      return null;
    }
    let analysis: Awaited<ReturnType<FaceEngine['analyse']>>;
    try {
      analysis = await engine.analyse(bytes, {
        liveness: false,
        modelSetId: face.modelSetId,
        alsoEmbedWith: [modelSetId],
      });
    } catch (err) {
      if (
        (err as { code?: string }).code === 'ENGINE_OVERLOADED' ||
        (err as { code?: string }).code === 'ENGINE_UNAVAILABLE'
      )
        throw err;
      this.deps.warn?.('face image unreadable: the face cannot be re-embedded', {
        faceKey: face.key,
        error: String(err),
      });
      return null;
    }
    let best: { score: number; embedding: Float32Array | undefined } = { score: -1, embedding: undefined };
    for (const found of analysis.faces) {
      const score = cosine(found.embedding, face.embedding);
      if (score > best.score) best = { score, embedding: found.alsoEmbedded?.[modelSetId] };
    }
    if (best.score < SAME_FACE || !best.embedding) {
      this.deps.warn?.('the enrolled face was not found again in its image', {
        faceKey: face.key,
        similarity: best.score,
      });
      return null;
    }
    return best.embedding;
  }
}

/** A model set command that cannot be done as asked; the message says why and what to do. */
export class ModelSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSetError';
  }
}

/**
 * Makes a set the active one and starts moving every face and pool to it. A set without a calibration is
 * refused: its scores would be compared with thresholds measured on another model.
 */
export async function activateModelSet(
  deps: {
    repo: Pick<ModelSetRepository, 'get' | 'activate'>;
    migration: Pick<ModelMigration, 'start'>;
    shippedId: string;
    now: () => number;
  },
  modelSetId: string,
): Promise<void> {
  if (modelSetId !== deps.shippedId) {
    const record = await deps.repo.get(modelSetId);
    if (!record) throw new ModelSetError(`no model set ${modelSetId} is installed (see \`openidv models list\`)`);
    if (record.calibration === null) {
      throw new ModelSetError(
        `model set ${modelSetId} has no calibration: run \`openidv models eval --id ${modelSetId} --lfw DIR\` first`,
      );
    }
  }
  const at = deps.now();
  await deps.repo.activate(modelSetId === deps.shippedId ? null : modelSetId, at);
  await deps.migration.start(modelSetId, at);
}
