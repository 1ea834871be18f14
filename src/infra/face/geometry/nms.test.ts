import { describe, expect, it } from 'vitest';
import { containment, iou, nonMaxSuppression } from './nms.js';

const box = (x: number, y: number, w: number, h: number, score: number) => ({ x, y, width: w, height: h, score });

describe('iou', () => {
  it('is 1 for identical, 0 for disjoint, and exact for a half overlap', () => {
    expect(iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1))).toBe(1);
    expect(iou(box(0, 0, 10, 10, 1), box(20, 0, 10, 10, 1))).toBe(0);
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 10, 10, 1))).toBeCloseTo(50 / 150, 12);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best of overlapping boxes and every separate face', () => {
    const kept = nonMaxSuppression(
      [box(0, 0, 10, 10, 0.9), box(1, 1, 10, 10, 0.95), box(50, 0, 10, 10, 0.8), box(51, 0, 10, 10, 0.7)],
      0.4,
    );
    expect(kept.map((b) => b.score)).toEqual([0.95, 0.8]);
  });

  it('keeps neighbours whose overlap is below the threshold (faces side by side in a group photo)', () => {
    // IoU = 30/170 ≈ 0.18: two faces touching must both survive.
    const kept = nonMaxSuppression([box(0, 0, 10, 10, 0.9), box(7, 0, 10, 10, 0.85)], 0.4);
    expect(kept).toHaveLength(2);
  });

  it('drops a box lying mostly inside a stronger one only when asked', () => {
    const big = box(0, 0, 100, 100, 0.99);
    const inner = box(10, 40, 50, 55, 0.8); // IoU 0.275, fully contained
    expect(containment(inner, big)).toBe(1);
    expect(nonMaxSuppression([big, inner], 0.4)).toHaveLength(2);
    expect(nonMaxSuppression([big, inner], 0.4, 0.8)).toEqual([big]);
  });

  it('does not depend on input order', () => {
    const boxes = [box(0, 0, 10, 10, 0.5), box(2, 2, 10, 10, 0.6), box(4, 4, 10, 10, 0.7)];
    const a = nonMaxSuppression(boxes, 0.3);
    const b = nonMaxSuppression([...boxes].reverse(), 0.3);
    expect(a).toEqual(b);
  });
});
