import type { Box } from '../../../domain/ports/face-engine.port.js';

export interface ScoredBox extends Box {
  score: number;
}

function intersection(p: Box, q: Box): number {
  const x1 = Math.max(p.x, q.x);
  const y1 = Math.max(p.y, q.y);
  const x2 = Math.min(p.x + p.width, q.x + q.width);
  const y2 = Math.min(p.y + p.height, q.y + q.height);
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

export function iou(p: Box, q: Box): number {
  const inter = intersection(p, q);
  if (inter <= 0) return 0;
  return inter / (p.width * p.height + q.width * q.height - inter);
}

/** Share of `inner`'s area that lies inside `outer`. */
export function containment(inner: Box, outer: Box): number {
  const area = inner.width * inner.height;
  return area > 0 ? intersection(inner, outer) / area : 0;
}

/**
 * Standard greedy non-maximum suppression by intersection-over-union, highest score first. (The faceplugin
 * library sorts by y2 and divides by the box's own area, which drops neighbouring faces in group photos.)
 * Optionally also drops a box lying almost entirely inside a stronger one: the detector sometimes fires on the
 * lower half of a large face (IoU ~0.3), which IoU alone keeps; a real neighbour is never 80% inside another face.
 */
export function nonMaxSuppression<T extends ScoredBox>(
  boxes: readonly T[],
  iouThreshold: number,
  maxContainment = 1,
): T[] {
  const sorted = [...boxes].sort((p, q) => q.score - p.score);
  const kept: T[] = [];
  for (const box of sorted) {
    if (kept.every((k) => iou(k, box) <= iouThreshold && containment(box, k) <= maxContainment)) kept.push(box);
  }
  return kept;
}
