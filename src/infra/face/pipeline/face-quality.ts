import type { FaceQuality } from '../../../domain/ports/face-engine.port.js';
import type { FivePoints } from '../models/landmark-detector.js';
import { toGrey } from '../models/tensor.js';

/**
 * Quality measures a check can gate on, all computed on the aligned 112×112 face so they are comparable across
 * image sizes. Pose comes from the five landmarks: roll is the eye-line angle; yaw is estimated from how far the
 * nose tip sits from the eye/mouth mid-line relative to half the eye distance (0 frontal, ±1 nose at an eye),
 * mapped with asin. It is a proxy, good for "is this roughly frontal", not a head-pose measurement.
 */
export function measureQuality(
  aligned: Uint8Array,
  size: number,
  landmarks: FivePoints,
  faceSizePx: number,
): Omit<FaceQuality, 'embeddingNorm'> {
  const grey = toGrey(aligned, size * size);
  // Only the inner part of the crop: the corners hold background and, near image edges, the warp's black border.
  const m = Math.round(size * 0.15);
  let sum = 0;
  let clipped = 0;
  let n = 0;
  let lapSum = 0;
  let lapSq = 0;
  for (let y = m; y < size - m; y++) {
    for (let x = m; x < size - m; x++) {
      const i = y * size + x;
      const v = grey[i]!;
      sum += v;
      if (v <= 5 || v >= 250) clipped++;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - size]! + grey[i + size]! - 4 * v;
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const lapMean = lapSum / n;
  const [le, re, nose, lm, rm] = landmarks;
  const roll = Math.atan2(re.y - le.y, re.x - le.x);
  // Rotate into the eye-line frame so roll does not leak into the yaw proxy.
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const rx = (p: { x: number; y: number }) => cos * p.x - sin * p.y;
  const eyeMid = (rx(le) + rx(re)) / 2;
  const mouthMid = (rx(lm) + rx(rm)) / 2;
  const halfEyes = Math.max(1e-6, Math.abs(rx(re) - rx(le)) / 2);
  const offset = (rx(nose) - (eyeMid + mouthMid) / 2) / halfEyes;
  const clampedOffset = Math.max(-1, Math.min(1, offset));
  return {
    faceSizePx: round(faceSizePx, 1),
    sharpness: round(lapSq / n - lapMean * lapMean, 1),
    brightness: round(sum / n, 1),
    clippedFraction: round(clipped / n, 4),
    frontalness: round(1 - Math.abs(clampedOffset), 3),
    yawDeg: round((Math.asin(clampedOffset) * 180) / Math.PI, 1),
    rollDeg: round((roll * 180) / Math.PI, 1),
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
