import type { FaceCalibration } from '../../infra/face/calibration/face-calibration.js';
import { genuineQuantile, impostorQuantile, type PairDistributions } from './score-distribution.js';
import { fitGpdTail, gpdExceedance } from '../../infra/face/calibration/tail-model.js';

/** Quantiles are listed while at least this many impostor pairs lie above them (fewer is noise, not a rate). */
const MIN_EXCEEDANCES = 10;
/** The tail model is fitted to the top 0.1% of impostor scores. */
const TAIL_P = 1e-3;

/** Dense where thresholds live (FNMR 0.5–5%), so interpolated false non-match rates stay close to measured. */
const GENUINE_P = [
  1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.07, 0.1,
  0.15, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99,
];

export function buildCalibration(
  d: PairDistributions,
  meta: Pick<FaceCalibration, 'modelSetId' | 'dataset' | 'command'>,
): FaceCalibration {
  const imp = d.impostor;
  const quantiles: { p: number; similarity: number }[] = [];
  for (let k = 4; ; k++) {
    const p = 10 ** (-k / 4);
    if (p * imp.count < MIN_EXCEEDANCES) break;
    quantiles.push({ p: Number(p.toPrecision(4)), similarity: round(impostorQuantile(imp, p)) });
  }
  const u = Math.max(imp.tailFrom, impostorQuantile(imp, TAIL_P));
  const exceedances = imp.tail.filter((s) => s >= u);
  const tail = fitGpdTail(exceedances, u, exceedances.length / imp.count);
  let maxAbsLog10Error = 0;
  for (const q of quantiles) {
    if (q.p >= tail.exceedanceProbability) continue;
    maxAbsLog10Error = Math.max(maxAbsLog10Error, Math.abs(Math.log10(gpdExceedance(tail, q.similarity) / q.p)));
  }
  const g = d.genuine;
  const genuineMean = g.reduce((s, v) => s + v, 0) / Math.max(1, g.length);
  return {
    schema: 'openidv.face-calibration/v1',
    ...meta,
    generatedAt: new Date().toISOString(),
    impostor: {
      pairs: imp.count,
      mean: round(imp.mean),
      std: round(imp.std),
      max: round(imp.max),
      quantiles,
      tail: {
        ...tail,
        threshold: round(tail.threshold),
        exceedanceProbability: Number(tail.exceedanceProbability.toPrecision(6)),
        shape: Number(tail.shape.toPrecision(6)),
        scale: Number(tail.scale.toPrecision(6)),
        upperEndpoint: tail.upperEndpoint === null ? null : round(tail.upperEndpoint),
        maxAbsLog10Error: Number(maxAbsLog10Error.toFixed(3)),
      },
    },
    genuine: {
      pairs: g.length,
      mean: round(genuineMean),
      quantiles: [
        { p: 0, similarity: round(g[0] ?? 0) },
        ...GENUINE_P.filter((p) => p * g.length >= 1).map((p) => ({ p, similarity: round(genuineQuantile(g, p)) })),
        { p: 1, similarity: round(g[g.length - 1] ?? 0) },
      ],
    },
  };
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;
