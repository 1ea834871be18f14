import type * as ort from 'onnxruntime-node';
import type { Box } from '../../../domain/ports/face-engine.port.js';
import { expandedBoxInside, squareBox } from '../geometry/box.js';
import { resampleRect } from '../image/rect-resample.js';
import type { ImagePyramid } from '../image/image-pyramid.js';
import { runModel } from './onnx-sessions.loader.js';
import { toChw } from './tensor.js';

const SIZE = 128;
/** Silent-Face's context scale: the model judges the face together with its surroundings (bezels, paper edges). */
const CONTEXT_SCALE = 2.7;

/**
 * `fr_liveness` (MiniFASNet-SE style): 128×128 crop of 2.7× the square face box, raw 0..255 in **BGR** order
 * (the package feeds RGB, which made a real selfie score 0.016; BGR scores it 0.80, notes §5), softmax index 0 =
 * live. An advisory signal only: it is not a presentation-attack-detection control.
 */
export class LivenessScorer {
  constructor(private readonly session: ort.InferenceSession) {}

  async score(pyramid: ImagePyramid, faceBox: Box): Promise<number> {
    const { width, height } = pyramid.base;
    const crop = expandedBoxInside(squareBox(faceBox), CONTEXT_SCALE, width, height);
    const rect = { x: crop.x, y: crop.y, w: crop.width, h: crop.height };
    const rgb = resampleRect(pyramid, rect, SIZE, SIZE, 'replicate');
    const logits = (await runModel(this.session, toChw(rgb, SIZE * SIZE, 'bgr', 0, 1), [1, 3, SIZE, SIZE])).output!;
    return softmax(logits)[0]!;
  }
}

export function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (x) => Math.exp(x - max));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
}
