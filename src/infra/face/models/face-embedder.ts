import type * as ort from 'onnxruntime-node';
import type { Point } from '../../../domain/ports/face-engine.port.js';
import { invertAffine } from '../geometry/affine.js';
import { estimateSimilarity } from '../geometry/similarity-transform.js';
import { warpAffine } from '../image/affine-warp.js';
import type { ImagePyramid } from '../image/image-pyramid.js';
import type { FivePoints } from './landmark-detector.js';
import { runModel } from './onnx-sessions.loader.js';
import { toChw } from './tensor.js';

export const ALIGNED_SIZE = 112;

/** The standard ArcFace 112×112 five-point template (insightface `arcface_dst`). */
export const ARCFACE_TEMPLATE: readonly Point[] = Object.freeze([
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
]);

/**
 * The face warped onto the template by a least-squares similarity of all five points (RGB, size × size; the
 * template is scaled from its 112 × 112 frame for embedders taking another size).
 */
export function alignFace(pyramid: ImagePyramid, landmarks: FivePoints, size = ALIGNED_SIZE): Uint8Array {
  const k = size / ALIGNED_SIZE;
  const template = k === 1 ? ARCFACE_TEMPLATE : ARCFACE_TEMPLATE.map((p) => ({ x: p.x * k, y: p.y * k }));
  const toTemplate = estimateSimilarity(landmarks, template);
  return warpAffine(pyramid, invertAffine(toTemplate), size, size, 'zero');
}

/** How an embedder wants its aligned face: channel order and (x − mean) × scale. */
export interface EmbedderInput {
  size: number;
  channels: 'rgb' | 'bgr';
  mean: number;
  scale: number;
}

/** The shipped fr_feature (MobileFaceNet-style, trained on BGR crops). */
export const SHIPPED_INPUT: EmbedderInput = Object.freeze({
  size: ALIGNED_SIZE,
  channels: 'bgr',
  mean: 127,
  scale: 1 / 128,
});
/** insightface's ArcFace models (w600k_r50, glint360k r100 …): RGB, (x − 127.5) / 127.5. */
export const ARCFACE_INPUT: EmbedderInput = Object.freeze({
  size: ALIGNED_SIZE,
  channels: 'rgb',
  mean: 127.5,
  scale: 1 / 127.5,
});

export function mirror(rgb: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 3;
      const d = (y * size + size - 1 - x) * 3;
      out[d] = rgb[s]!;
      out[d + 1] = rgb[s + 1]!;
      out[d + 2] = rgb[s + 2]!;
    }
  }
  return out;
}

/** An embedder: aligned face -> vector, returned L2-normalised (`fr_feature`: aligned BGR, (x − 127)/128 -> 512-d). */
export class FaceEmbedder {
  private readonly input: EmbedderInput;

  constructor(
    private readonly session: ort.InferenceSession,
    /** Add the embedding of the mirrored face (test-time augmentation); costs one more inference. */
    private readonly flipAugment = false,
    channelOrder: 'rgb' | 'bgr' = 'rgb',
    input: Partial<EmbedderInput> = {},
  ) {
    this.input = { ...SHIPPED_INPUT, channels: channelOrder, ...input };
  }

  get size(): number {
    return this.input.size;
  }

  release(): Promise<void> {
    return this.session.release();
  }

  /** The L2-normalised embedding and the raw vector's norm (low for inputs the model does not read as a face). */
  async embed(aligned: Uint8Array): Promise<{ embedding: Float32Array; norm: number }> {
    const v = await this.raw(aligned);
    const norm = Math.hypot(...v);
    if (this.flipAugment) {
      const f = await this.raw(mirror(aligned, this.input.size));
      for (let i = 0; i < v.length; i++) v[i] = v[i]! + f[i]!;
    }
    return { embedding: l2normalise(v), norm };
  }

  async raw(aligned: Uint8Array): Promise<Float32Array> {
    const { size, channels, mean, scale } = this.input;
    const out = await runModel(this.session, toChw(aligned, size * size, channels, mean, scale), [1, 3, size, size]);
    const first = this.session.outputNames[0]!;
    return Float32Array.from(out[first]!);
  }
}

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}
