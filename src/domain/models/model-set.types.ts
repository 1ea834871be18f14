// A face model set: the embedder (and how faces are aligned for it) that turns a face into a vector, with the
// calibration that says what its similarity scores mean. Detection and landmarks are shared by every set; two
// embeddings are comparable only when they come from the same set.

/** Where the five landmarks are warped to before embedding. */
export type AlignmentTemplate = 'arcface112' | 'shipped';
export const ALIGNMENT_TEMPLATES: readonly AlignmentTemplate[] = ['arcface112', 'shipped'];

/** installed: usable, not used for new faces; active: new faces and migrations go to it; retired: was active. */
export type ModelSetState = 'installed' | 'active' | 'retired';

export interface ModelSetRecord {
  id: string;
  /** Absolute path of the embedder ONNX file (copied into the data folder by `models install`). */
  embedderFile: string;
  embedderSha256: string;
  /** Side of the square aligned face the embedder takes (112 for both templates). */
  inputSize: number;
  template: AlignmentTemplate;
  dimensions: number;
  /** The calibration (openidv.face-calibration/v1 JSON) written by `models eval`; null until evaluated. */
  calibration: unknown | null;
  state: ModelSetState;
  createdAt: number;
  updatedAt: number;
}

/** How far one pool is on the way to a model set. */
export interface PoolMigrationProgress {
  poolId: string;
  appId: string;
  label: string;
  /** The set the pool searches on now. */
  modelSetId: string;
  /** Faces of the pool's members, and how many of them have an embedding under the target set. */
  faces: number;
  embedded: number;
}

/** A face still to be embedded under a set: its stored image and the embedding it was enrolled with. */
export interface FaceToEmbed {
  key: number;
  imageKey: string;
  modelSetId: string;
  embedding: Float32Array;
}

/** Ids are stored with every embedding and typed on command lines: letters, digits and `. _ / -`, 120 at most. */
export const MODEL_SET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,119}$/;
