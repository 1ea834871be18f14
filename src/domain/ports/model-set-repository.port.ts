import type { FaceToEmbed, ModelSetRecord, PoolMigrationProgress } from '../models/model-set.types.js';

/**
 * The installed model sets, and what a migration between them reads and writes: the embeddings faces have under
 * other sets than the one they were enrolled with, and each pool's set. The shipped set is not a row: it is in
 * force whenever no row is active.
 */
export interface ModelSetRepository {
  /** False when a set with that id is already installed (nothing is written). */
  install(record: ModelSetRecord): Promise<boolean>;
  get(id: string): Promise<ModelSetRecord | null>;
  list(): Promise<ModelSetRecord[]>;
  /** False when no such set is installed. */
  setCalibration(id: string, calibration: unknown, at: number): Promise<boolean>;
  /** Makes `id` the one active set (the active one before becomes retired); null goes back to the shipped set. */
  activate(id: string | null, at: number): Promise<void>;
  /** The active installed set, or null when the shipped set is in force. */
  activeId(): Promise<string | null>;
  /** The sets pools search on now (during a migration, old and new). */
  poolSets(): Promise<string[]>;

  /** Faces with no embedding under `modelSetId` yet, by key after `afterKey`. */
  facesToEmbed(modelSetId: string, afterKey: number, limit: number): Promise<FaceToEmbed[]>;
  /** How many faces have no embedding under `modelSetId` yet. */
  countFacesToEmbed(modelSetId: string): Promise<number>;
  /** Stores a face's embedding under a set; a second write for the same face and set keeps the first. */
  saveEmbedding(faceKey: number, modelSetId: string, embedding: Float32Array, at: number): Promise<void>;
  /** The face's embedding under the set (the enrolment one or a re-embedding), null when it has none. */
  embeddingOf(faceKey: number, modelSetId: string): Promise<Float32Array | null>;
  /** Every pool with its member faces and how many of them have an embedding under `modelSetId`. */
  progress(modelSetId: string): Promise<PoolMigrationProgress[]>;
  /**
   * Moves the pool to `modelSetId` in one transaction, only when every member face has an embedding under it,
   * and logs the switch in the index change log (every process reloads the pool's index from the new set).
   */
  switchPool(poolId: string, modelSetId: string, at: number): Promise<boolean>;
}
