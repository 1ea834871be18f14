import type * as ort from 'onnxruntime-node';
import type { Box, Point } from '../../../domain/ports/face-engine.port.js';
import type { Affine } from '../geometry/affine.js';
import { warpAffine } from '../image/affine-warp.js';
import type { ImagePyramid } from '../image/image-pyramid.js';
import { runModel } from './onnx-sessions.loader.js';
import { toGrey } from './tensor.js';

const SIZE = 64;

export type FivePoints = [Point, Point, Point, Point, Point];

/** A square crop: centre, side and rotation (radians, positive turns the crop clockwise in image coordinates). */
export interface LandmarkCrop {
  cx: number;
  cy: number;
  side: number;
  angle: number;
}

export function cropFromSquare(square: Box, angle = 0): LandmarkCrop {
  return { cx: square.x + square.width / 2, cy: square.y + square.height / 2, side: square.width, angle };
}

/**
 * Where the 68 points sit in the detector's square crop, measured on 538 lfw-dev faces (medians): their bounding
 * box is centred 0.129 of the side below the crop centre (−0.006 across) and spans 0.742 × 0.724 of the side.
 */
const POINTS_IN_CROP = { dx: -0.0055, dy: 0.1286, w: 0.7422, h: 0.7237 };

/**
 * The crop that would put these points where they typically sit in a detector crop. A second landmark pass on it
 * corrects detector boxes that sit too high, too low or too loose (the box is from a different model than the
 * one the landmark network was trained behind), so every face reaches the regressor framed the same way.
 */
export function cropFromPoints(points: Point[], angle: number): LandmarkCrop {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let u1 = Infinity;
  let u2 = -Infinity;
  let v1 = Infinity;
  let v2 = -Infinity;
  for (const p of points) {
    const u = p.x * cos + p.y * sin;
    const v = -p.x * sin + p.y * cos;
    u1 = Math.min(u1, u);
    u2 = Math.max(u2, u);
    v1 = Math.min(v1, v);
    v2 = Math.max(v2, v);
  }
  const side = ((u2 - u1) / POINTS_IN_CROP.w + (v2 - v1) / POINTS_IN_CROP.h) / 2;
  const cu = (u1 + u2) / 2 - POINTS_IN_CROP.dx * side;
  const cv = (v1 + v2) / 2 - POINTS_IN_CROP.dy * side;
  return { cx: cu * cos - cv * sin, cy: cu * sin + cv * cos, side, angle };
}

/**
 * `fr_landmark`: 68 iBUG points from a 64×64 grey crop scaled to 0..1 (÷256), output normalised to the crop.
 * The crop is a square that may be rotated by `angle` (radians) about its centre so a strongly tilted head can be
 * shown upright on a second pass; points are mapped back through the same geometry.
 */
export class LandmarkDetector {
  constructor(private readonly session: ort.InferenceSession) {}

  async detect68(pyramid: ImagePyramid, crop: LandmarkCrop): Promise<Point[]> {
    const { side, cx, cy, angle } = crop;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Crop-normalised (u, v) in [0, 1] -> source continuous coordinates.
    const toSource = (u: number, v: number): Point => {
      const dx = (u - 0.5) * side;
      const dy = (v - 0.5) * side;
      return { x: cx + cos * dx - sin * dy, y: cy + sin * dx + cos * dy };
    };
    // Output pixel (i, j) centre is at u = (i + 0.5)/SIZE; the warp samples in pixel-centre coordinates (−0.5).
    const k = side / SIZE;
    const origin = toSource(0.5 / SIZE, 0.5 / SIZE);
    const grid: Affine = { a: cos * k, b: -sin * k, c: origin.x - 0.5, d: sin * k, e: cos * k, f: origin.y - 0.5 };
    const rgb = warpAffine(pyramid, grid, SIZE, SIZE, 'replicate');
    const grey = toGrey(rgb, SIZE * SIZE);
    for (let i = 0; i < grey.length; i++) grey[i] = grey[i]! / 256;
    const out = (await runModel(this.session, grey, [1, 1, SIZE, SIZE])).output!;
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) points.push(toSource(out[2 * i]!, out[2 * i + 1]!));
    return points;
  }
}

const mean = (pts: Point[], idx: number[]): Point => ({
  x: idx.reduce((s, i) => s + pts[i]!.x, 0) / idx.length,
  y: idx.reduce((s, i) => s + pts[i]!.y, 0) / idx.length,
});

/**
 * 68 -> the 5 ArcFace points: eye centres as the mean of the four lid points (the corners sit off-centre),
 * nose tip #30, mouth corners as the mean of the outer and inner lip corners. Image-left eye first.
 */
export function fivePointsFrom68(p: Point[]): FivePoints {
  return [mean(p, [37, 38, 40, 41]), mean(p, [43, 44, 46, 47]), p[30]!, mean(p, [48, 60]), mean(p, [54, 64])];
}
