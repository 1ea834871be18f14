// The face engine port: everything the checks and pools need from face models, and nothing about how.
export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceQuality {
  /** Side of the square face box in source-image pixels. */
  faceSizePx: number;
  /** Variance of the Laplacian of the aligned grey face crop (higher is sharper). */
  sharpness: number;
  /** Mean luminance of the aligned face, 0..255. */
  brightness: number;
  /** Share of clipped (near 0 or near 255) pixels in the aligned face, 0..1. */
  clippedFraction: number;
  /** 1 = frontal, 0 = profile: a proxy from the 5 landmarks. */
  frontalness: number;
  /** Approximate yaw and roll in degrees, from the landmarks. */
  yawDeg: number;
  rollDeg: number;
  /**
   * Norm of the embedding before L2 normalisation. The embedder gives small norms to inputs it cannot read as a
   * face (wrong way up, heavy blur, not a face): a model-specific recognisability proxy, comparable only within
   * one model set.
   */
  embeddingNorm: number;
}

export interface AnalysedFace {
  box: Box;
  /** Left eye, right eye, nose tip, left mouth corner, right mouth corner (image coordinates). */
  landmarks: [Point, Point, Point, Point, Point];
  detectorScore: number;
  quality: FaceQuality;
  /** L2-normalised. */
  embedding: Float32Array;
  /** Passive liveness probability of a live face, 0..1. Advisory only. Absent when not requested. */
  liveness?: number;
  /** The face's embeddings under the sets asked for with `alsoEmbedWith`, by set id (L2-normalised). */
  alsoEmbedded?: Record<string, Float32Array>;
  /** The 68 iBUG landmarks the 5 points come from (image coordinates). Present only when requested. */
  landmarks68?: Point[];
}

export interface FaceAnalysis {
  modelSetId: string;
  /** Decoded image size after EXIF orientation; boxes and landmarks are in this frame. */
  width: number;
  height: number;
  /**
   * Extra clockwise turn (after EXIF) under which the faces were found: 0 normally; 90/180/270 when nothing was
   * found upright and a turned copy had faces (a sideways upload). Quality's roll is measured in that frame.
   */
  rotation: 0 | 90 | 180 | 270;
  /** Sorted by face size, largest first. */
  faces: AnalysedFace[];
}

export interface AnalyseOptions {
  /**
   * The model set to embed with (default: the shipped one). Detection, landmarks, quality and the choice of faces
   * are the same under every set; only the embedding differs, and the analysis says which set made it.
   */
  modelSetId?: string;
  /** Further sets to embed the same faces with (a face enrolled while pools are on several sets). */
  alsoEmbedWith?: string[];
  /** Compute the passive liveness score (costs ~9 ms per face). Default true. */
  liveness?: boolean;
  /** Also return the 68 landmarks (active liveness measures head pose and parallax on them). Default false. */
  landmarks68?: boolean;
  /**
   * The image is known to be upright (a live camera frame): never search turned copies for faces. An upload may be
   * sideways; a camera stream is not, and a search there finds false faces upside down in a poorly read frame.
   * Default false.
   */
  upright?: boolean;
  /** Cap on faces analysed (largest first). Default 10. */
  maxFaces?: number;
  /**
   * Hand the image's memory to the worker instead of copying it (zero-copy). The caller's array is detached
   * (length 0) afterwards, so only set this when the bytes are no longer needed. Default false.
   */
  transfer?: boolean;
}

export interface FaceEngine {
  readonly modelSetId: string;
  readonly dimensions: number;
  analyse(image: Uint8Array, options?: AnalyseOptions): Promise<FaceAnalysis>;
  close(): Promise<void>;
}

export type ImageErrorCode =
  | 'IMAGE_UNSUPPORTED_FORMAT'
  | 'IMAGE_CORRUPT'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_SMALL'
  | 'ENGINE_OVERLOADED'
  | 'ENGINE_UNAVAILABLE';

/** Typed failure of image intake or the engine; the HTTP layer maps codes to 4xx/503. */
export class FaceEngineError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FaceEngineError';
  }
}
