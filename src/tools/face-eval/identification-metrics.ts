import { dot } from './vector-math.js';

export interface IdentificationSample {
  person: string;
  embedding: Float32Array;
}

export interface IdentificationReport {
  gallerySize: number;
  matedProbes: number;
  nonMatedProbes: number;
  rank1Accuracy: number;
  /** Per FPIR target: threshold on the top-1 score and the FNIR it costs. */
  operatingPoints: { targetFpir: number; threshold: number; fpir: number; fnir: number }[];
}

/**
 * Open-set 1:N on one labelled set: the gallery holds the first photo of every person with at least two photos,
 * their other photos are mated probes, and people with a single photo are non-mated probes (never enrolled).
 * FPIR(t) = share of non-mated probes whose best gallery score is ≥ t; FNIR(t) = share of mated probes whose
 * mate is not the rank-1 candidate with a score ≥ t (NIST FRVT 1:N definitions with a candidate list of one).
 */
export function identificationReport(
  byPerson: ReadonlyMap<string, IdentificationSample[]>,
  fpirTargets: readonly number[] = [0.01, 0.1],
): IdentificationReport {
  const gallery: IdentificationSample[] = [];
  const mated: IdentificationSample[] = [];
  const nonMated: IdentificationSample[] = [];
  for (const samples of byPerson.values()) {
    if (samples.length >= 2) {
      gallery.push(samples[0]!);
      mated.push(...samples.slice(1));
    } else if (samples.length === 1) {
      nonMated.push(samples[0]!);
    }
  }
  const top1 = (probe: IdentificationSample) => {
    let best = -Infinity;
    let who = '';
    for (const g of gallery) {
      const s = dot(probe.embedding, g.embedding);
      if (s > best) {
        best = s;
        who = g.person;
      }
    }
    return { score: best, person: who };
  };
  const matedTop = mated.map((p) => {
    const best = top1(p);
    return { score: best.score, hit: best.person === p.person };
  });
  const nonMatedTop = nonMated.map((p) => top1(p).score).sort((a, b) => b - a);
  const operatingPoints = fpirTargets.map((targetFpir) => {
    const allowed = Math.floor(targetFpir * nonMatedTop.length + 1e-9);
    const next = nonMatedTop[allowed];
    const threshold = next === undefined ? -1 : next + 1e-6;
    const fpir = nonMatedTop.filter((s) => s >= threshold).length / Math.max(1, nonMatedTop.length);
    const fnir = matedTop.filter((r) => !(r.hit && r.score >= threshold)).length / Math.max(1, matedTop.length);
    return { targetFpir, threshold, fpir, fnir };
  });
  return {
    gallerySize: gallery.length,
    matedProbes: mated.length,
    nonMatedProbes: nonMated.length,
    rank1Accuracy: matedTop.filter((r) => r.hit).length / Math.max(1, matedTop.length),
    operatingPoints,
  };
}
