import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gpdExceedance, gpdQuantile, type GpdTail } from '../eval/tail-model.js';

/**
 * Score calibration of one model set on one labelled dataset, written by `openidv eval faces --calibration-out`.
 * The pools use it to turn "at most x% false positive identifications in a pool of N faces" into a threshold.
 */
export interface FaceCalibration {
  schema: 'openidv.face-calibration/v1';
  modelSetId: string;
  dataset: { name: string; images: number; identities: number; embedded: number; detectionFailures: number };
  generatedAt: string;
  command: string;
  impostor: {
    /** Cross-identity pairs of embedded images. */
    pairs: number;
    mean: number;
    std: number;
    max: number;
    /** Upper tail: P(impostor similarity ≥ similarity) = p; p descending, log-spaced (4 per decade). */
    quantiles: { p: number; similarity: number }[];
    /** Model for p below the smallest measured quantile. */
    tail: GpdTail & {
      /** Largest |log10(model p / measured p)| over the measured quantiles below the tail threshold. */
      maxAbsLog10Error: number;
    };
  };
  genuine: {
    /** Same-identity pairs of embedded images (all of them, not only pairs.txt). */
    pairs: number;
    mean: number;
    /** Lower tail: P(genuine similarity < similarity) = p (the false non-match rate at that threshold). */
    quantiles: { p: number; similarity: number }[];
  };
}

export function parseFaceCalibration(json: unknown): FaceCalibration {
  const c = json as FaceCalibration;
  const ok =
    c?.schema === 'openidv.face-calibration/v1' &&
    typeof c.modelSetId === 'string' &&
    Array.isArray(c.impostor?.quantiles) &&
    c.impostor.quantiles.length > 1 &&
    c.impostor.tail?.model === 'generalised-pareto' &&
    Array.isArray(c.genuine?.quantiles);
  if (!ok) throw new Error('not an openidv.face-calibration/v1 document');
  return c;
}

export function loadFaceCalibrationFile(path: string): FaceCalibration {
  return parseFaceCalibration(JSON.parse(readFileSync(path, 'utf8')));
}

/** The calibration of the default model set on lfw-dev, shipped with the code. */
export function loadDefaultFaceCalibration(): FaceCalibration {
  return loadFaceCalibrationFile(fileURLToPath(new URL('./lfw-dev.calibration.json', import.meta.url)));
}

/**
 * Similarity an impostor pair reaches with probability p: log-linear interpolation between measured quantiles,
 * the fitted tail below the smallest measured p.
 */
export function impostorSimilarityAt(c: FaceCalibration, p: number): number {
  const q = c.impostor.quantiles;
  const last = q[q.length - 1]!;
  if (p <= last.p) return Math.min(1, gpdQuantile(c.impostor.tail, p));
  if (p >= q[0]!.p) return q[0]!.similarity;
  for (let i = 1; i < q.length; i++) {
    const hi = q[i - 1]!;
    const lo = q[i]!;
    if (p <= hi.p && p >= lo.p) {
      const t = (Math.log(p) - Math.log(hi.p)) / (Math.log(lo.p) - Math.log(hi.p));
      return hi.similarity + t * (lo.similarity - hi.similarity);
    }
  }
  return last.similarity;
}

/** False match rate of one comparison at threshold s (inverse of impostorSimilarityAt). */
export function falseMatchRateAt(c: FaceCalibration, s: number): number {
  const q = c.impostor.quantiles;
  const last = q[q.length - 1]!;
  if (s >= last.similarity) return Math.min(last.p, gpdExceedance(c.impostor.tail, s));
  if (s <= q[0]!.similarity) return q[0]!.p;
  for (let i = 1; i < q.length; i++) {
    const hi = q[i - 1]!;
    const lo = q[i]!;
    if (s >= hi.similarity && s <= lo.similarity) {
      const t = lo.similarity === hi.similarity ? 0 : (s - hi.similarity) / (lo.similarity - hi.similarity);
      return Math.exp(Math.log(hi.p) + t * (Math.log(lo.p) - Math.log(hi.p)));
    }
  }
  return last.p;
}

/** False non-match rate at threshold s, from the genuine quantiles (linear interpolation). */
export function falseNonMatchRateAt(c: FaceCalibration, s: number): number {
  const q = c.genuine.quantiles;
  if (s <= q[0]!.similarity) return 0;
  for (let i = 1; i < q.length; i++) {
    const lo = q[i - 1]!;
    const hi = q[i]!;
    if (s <= hi.similarity) {
      const t = hi.similarity === lo.similarity ? 1 : (s - lo.similarity) / (hi.similarity - lo.similarity);
      return lo.p + t * (hi.p - lo.p);
    }
  }
  return 1;
}

/**
 * Threshold for a 1:N search so that a face of someone not enrolled matches anyone in a pool of `poolSize` faces
 * with probability ≤ fpir. Treating the N comparisons as independent, FPIR = 1 − (1 − FMR)^N, so the per-pair
 * FMR must be 1 − (1 − fpir)^(1/N) (≈ fpir/N). Independence is an approximation: real galleries hold look-alikes
 * and duplicates, so treat the result as a floor and prefer a margin above it.
 */
export function thresholdForFpir(c: FaceCalibration, fpir: number, poolSize: number): number {
  if (!(fpir > 0 && fpir < 1)) throw new RangeError('fpir must be in (0, 1)');
  const n = Math.max(1, Math.floor(poolSize));
  const fmr = -Math.expm1(Math.log1p(-fpir) / n);
  return impostorSimilarityAt(c, fmr);
}
