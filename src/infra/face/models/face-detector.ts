import type * as ort from 'onnxruntime-node';
import { nonMaxSuppression, type ScoredBox } from '../geometry/nms.js';
import { resampleRect } from '../image/rect-resample.js';
import type { ImagePyramid } from '../image/image-pyramid.js';
import { runModel } from './onnx-sessions.loader.js';
import { toChw } from './tensor.js';

const IN_W = 320;
const IN_H = 240;

export interface DetectorOptions {
  /**
   * Face-class probability above which a box is a candidate. Every central LFW face scored ≥ 0.95 (1,344 sampled
   * images); false boxes on the hard cases (hands, a shirt, half of a large face) scored 0.52–0.79, as did a few
   * real faces cut by the frame, so candidates below 0.8 are confirmed by the embedder (see FacePipeline).
   */
  scoreThreshold: number;
  /** At or above this score a box needs no confirmation by the embedder (see FacePipeline.confirmed). */
  certainScore: number;
  /** Between this and certainScore a box needs a weak confirmation; below it, a strong one. */
  sureScore: number;
  /** IoU above which the weaker of two boxes is dropped. */
  iouThreshold: number;
  /** A box this much inside a stronger one is dropped. */
  maxContainment: number;
  /** Second pass on 2×2 overlapping tiles when the frame is at least this many times the detector input. */
  tileFromScale: number;
  /** Tiles only add faces smaller than this many detector pixels at whole-frame scale (the rest it sees). */
  tileMaxFacePx: number;
  /** Boxes smaller than this side (source pixels) are ignored: too small to embed. */
  minFacePx: number;
}

export const DEFAULT_DETECTOR_OPTIONS: Readonly<DetectorOptions> = Object.freeze({
  scoreThreshold: 0.5,
  certainScore: 0.95,
  sureScore: 0.8,
  iouThreshold: 0.4,
  maxContainment: 0.8,
  tileFromScale: 3,
  tileMaxFacePx: 32,
  minFacePx: 12,
});

/** A rectangle of the source (continuous coordinates; may extend past the image) shown to the detector. */
interface View {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Drop boxes touching these view edges: the face continues in a neighbouring tile. */
  cutEdges?: { left: boolean; top: boolean; right: boolean; bottom: boolean };
  /** Keep only boxes with a side below this (source pixels). */
  maxSide?: number;
}

/**
 * Ultra-Light RFB-320 (`fr_detect`): its ONNX graph already decodes the anchors, so `boxes` are normalised
 * x1,y1,x2,y2 of the 320×240 input and only thresholding and standard IoU-NMS remain (notes §2, pitfall 4).
 */
export class FaceDetector {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly options: DetectorOptions = DEFAULT_DETECTOR_OPTIONS,
  ) {}

  /**
   * 1. The whole frame, stretched to 320×240 as the model was trained.
   * 2. Nothing found for certain (≥ 0.95): again with a 40% margin, because a face filling the picture (a tight crop) is larger than
   *    the biggest anchors. Two or more found (a group): again with a 15% margin, which recovers faces cut by
   *    the image edge (the glasses wearer at the right of selfie-many-people.jpg) without slowing single selfies.
   * 3. Large frames: 2×2 overlapping tiles at ~1.7× the resolution, keeping only faces too small for pass 1.
   */
  async detect(pyramid: ImagePyramid): Promise<ScoredBox[]> {
    const { width: W, height: H } = pyramid.base;
    const o = this.options;
    let boxes = await this.detectView(pyramid, { x: 0, y: 0, w: W, h: H });
    const certain = boxes.filter((b) => b.score >= o.certainScore).length;
    if (certain !== 1) {
      const margin = certain === 0 ? 0.4 : 0.15;
      const mx = W * margin;
      const my = H * margin;
      boxes = boxes.concat(await this.detectView(pyramid, { x: -mx, y: -my, w: W + 2 * mx, h: H + 2 * my }));
    }
    const frameScale = Math.max(W / IN_W, H / IN_H);
    if (frameScale >= o.tileFromScale) {
      const tw = W * 0.6;
      const th = H * 0.6;
      for (const tx of [0, W - tw]) {
        for (const ty of [0, H - th]) {
          const cutEdges = { left: tx > 0, top: ty > 0, right: tx + tw < W, bottom: ty + th < H };
          const view = { x: tx, y: ty, w: tw, h: th, cutEdges, maxSide: o.tileMaxFacePx * frameScale };
          boxes = boxes.concat(await this.detectView(pyramid, view));
        }
      }
    }
    return nonMaxSuppression(boxes, o.iouThreshold, o.maxContainment);
  }

  async detectView(pyramid: ImagePyramid, view: View): Promise<ScoredBox[]> {
    const rgb = resampleRect(pyramid, view, IN_W, IN_H, 'zero');
    const out = await runModel(this.session, toChw(rgb, IN_W * IN_H, 'rgb', 127, 1 / 128), [1, 3, IN_H, IN_W]);
    const scores = out.scores!;
    const coords = out.boxes!;
    const { width: W, height: H } = pyramid.base;
    const o = this.options;
    const found: ScoredBox[] = [];
    const edge = 0.01;
    const c = view.cutEdges;
    for (let i = 0, n = scores.length / 2; i < n; i++) {
      const score = scores[2 * i + 1]!;
      if (score < o.scoreThreshold) continue;
      const x1 = coords[4 * i]!;
      const y1 = coords[4 * i + 1]!;
      const x2 = coords[4 * i + 2]!;
      const y2 = coords[4 * i + 3]!;
      if (
        c &&
        ((c.left && x1 < edge) || (c.top && y1 < edge) || (c.right && x2 > 1 - edge) || (c.bottom && y2 > 1 - edge))
      ) {
        continue;
      }
      // Kept unclipped: a face cut by the image edge still has its true centre and size for the crops.
      const box = {
        x: view.x + x1 * view.w,
        y: view.y + y1 * view.h,
        width: (x2 - x1) * view.w,
        height: (y2 - y1) * view.h,
      };
      if (box.width < o.minFacePx || box.height < o.minFacePx) continue;
      if (view.maxSide !== undefined && Math.max(box.width, box.height) > view.maxSide) continue;
      if (box.x + box.width <= 0 || box.y + box.height <= 0 || box.x >= W || box.y >= H) continue;
      found.push({ ...box, score });
    }
    return nonMaxSuppression(found, o.iouThreshold, o.maxContainment);
  }
}
