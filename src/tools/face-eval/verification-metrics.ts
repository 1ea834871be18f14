/** A scored comparison: `same` is the ground truth. */
export interface ScoredPair {
  score: number;
  same: boolean;
  fold: number;
}

export interface KFoldResult {
  /** Accuracy on each fold with the threshold chosen on the other folds. */
  foldAccuracies: number[];
  foldThresholds: number[];
  mean: number;
  std: number;
}

export interface OperatingPoint {
  targetFar: number;
  threshold: number;
  /** Measured at the threshold (≤ target). */
  far: number;
  tar: number;
  frr: number;
  impostorsAccepted: number;
  impostors: number;
}

/** Candidate thresholds: midpoints between consecutive distinct scores, plus the extremes. */
function candidateThresholds(scores: number[]): number[] {
  const s = [...new Set(scores)].sort((a, b) => a - b);
  const out = [s[0]! - 1e-6];
  for (let i = 1; i < s.length; i++) out.push((s[i - 1]! + s[i]!) / 2);
  out.push(s[s.length - 1]! + 1e-6);
  return out;
}

/** Threshold maximising accuracy (`score >= t` means same), ties broken by the middle of the best run. */
export function bestAccuracyThreshold(pairs: readonly ScoredPair[]): { threshold: number; accuracy: number } {
  const sorted = [...pairs].sort((p, q) => p.score - q.score);
  const thresholds = candidateThresholds(sorted.map((p) => p.score));
  // Sweep: start with everything accepted; each threshold step rejects the pairs below it.
  let correct = sorted.filter((p) => p.same).length;
  let i = 0;
  let best = -1;
  let bestFrom = 0;
  let bestTo = 0;
  for (let k = 0; k < thresholds.length; k++) {
    const t = thresholds[k]!;
    while (i < sorted.length && sorted[i]!.score < t) {
      correct += sorted[i]!.same ? -1 : 1;
      i++;
    }
    if (correct > best) {
      best = correct;
      bestFrom = k;
      bestTo = k;
    } else if (correct === best && bestTo === k - 1) {
      bestTo = k;
    }
  }
  const threshold = (thresholds[bestFrom]! + thresholds[bestTo]!) / 2;
  return { threshold, accuracy: best / sorted.length };
}

/** The LFW protocol: for each fold, pick the threshold on the other folds and score the held-out fold. */
export function kFoldAccuracy(pairs: readonly ScoredPair[], folds: number): KFoldResult {
  const foldAccuracies: number[] = [];
  const foldThresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = pairs.filter((p) => p.fold !== f);
    const test = pairs.filter((p) => p.fold === f);
    const { threshold } = bestAccuracyThreshold(train.length > 0 ? train : test);
    const correct = test.filter((p) => p.score >= threshold === p.same).length;
    foldAccuracies.push(test.length > 0 ? correct / test.length : Number.NaN);
    foldThresholds.push(threshold);
  }
  const mean = foldAccuracies.reduce((s, a) => s + a, 0) / folds;
  const std = Math.sqrt(foldAccuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / folds);
  return { foldAccuracies, foldThresholds, mean, std };
}

/** Area under the ROC curve = P(genuine score > impostor score), ties counted half (Mann–Whitney). */
export function rocAuc(pairs: readonly ScoredPair[]): number {
  const sorted = [...pairs].sort((p, q) => p.score - q.score);
  const nPos = sorted.filter((p) => p.same).length;
  const nNeg = sorted.length - nPos;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.same) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * The lowest threshold whose false-accept rate does not exceed the target, and the TAR there. With few impostors
 * the achievable FAR is coarse (1,500 impostor pairs: steps of 0.067%), so the measured FAR is reported too.
 */
export function operatingPoint(
  genuine: readonly number[],
  impostor: readonly number[],
  targetFar: number,
): OperatingPoint {
  const imp = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(targetFar * imp.length + 1e-9);
  // Accept `allowed` impostors at most: the threshold sits just above the next impostor score.
  const next = imp[allowed];
  const threshold = next === undefined ? -1 : next + 1e-6;
  const accepted = imp.filter((s) => s >= threshold).length;
  const tar = genuine.filter((s) => s >= threshold).length / genuine.length;
  return {
    targetFar,
    threshold,
    far: accepted / imp.length,
    tar,
    frr: 1 - tar,
    impostorsAccepted: accepted,
    impostors: imp.length,
  };
}

/** ROC points (FAR, TAR) at every distinct impostor score, for plotting. */
export function rocCurve(genuine: readonly number[], impostor: readonly number[]): { far: number; tar: number }[] {
  const gen = [...genuine].sort((a, b) => b - a);
  const imp = [...impostor].sort((a, b) => b - a);
  const points: { far: number; tar: number }[] = [];
  let g = 0;
  for (let i = 0; i < imp.length; i++) {
    if (i + 1 < imp.length && imp[i + 1] === imp[i]) continue;
    while (g < gen.length && gen[g]! > imp[i]!) g++;
    points.push({ far: (i + 1) / imp.length, tar: g / gen.length });
  }
  return points;
}
