/**
 * Generalised Pareto model of the impostor upper tail (peaks over threshold): for s above the threshold u,
 * P(S ≥ s) = pU · (1 + ξ·(s − u)/σ)^(−1/ξ), with pU = P(S ≥ u). The Pickands–Balkema–de Haan theorem makes the
 * GPD the natural limit for exceedances of almost any continuous distribution; a negative shape ξ means a finite
 * upper end point u − σ/ξ, which suits cosine similarities (bounded by 1). Fitted by maximum likelihood.
 */
export interface GpdTail {
  model: 'generalised-pareto';
  fit: 'maximum-likelihood';
  /** u: the similarity the exceedances are measured from. */
  threshold: number;
  /** pU = P(S ≥ u) in the data. */
  exceedanceProbability: number;
  exceedances: number;
  shape: number;
  scale: number;
  /** u − σ/ξ when ξ < 0, else null. */
  upperEndpoint: number | null;
}

/** Exceedance probability of similarity s under the tail model (valid for s ≥ u). */
export function gpdExceedance(t: GpdTail, s: number): number {
  const y = Math.max(0, s - t.threshold);
  if (Math.abs(t.shape) < 1e-9) return t.exceedanceProbability * Math.exp(-y / t.scale);
  const base = 1 + (t.shape * y) / t.scale;
  return base <= 0 ? 0 : t.exceedanceProbability * base ** (-1 / t.shape);
}

/** Similarity at exceedance probability p under the tail model (valid for p ≤ pU). */
export function gpdQuantile(t: GpdTail, p: number): number {
  const r = p / t.exceedanceProbability;
  if (Math.abs(t.shape) < 1e-9) return t.threshold - t.scale * Math.log(r);
  return t.threshold + (t.scale / t.shape) * (r ** -t.shape - 1);
}

function logLikelihood(y: Float64Array, shape: number, scale: number): number {
  if (scale <= 0) return -Infinity;
  let ll = -y.length * Math.log(scale);
  if (Math.abs(shape) < 1e-9) {
    for (const v of y) ll -= v / scale;
    return ll;
  }
  const c = 1 + 1 / shape;
  for (const v of y) {
    const z = 1 + (shape * v) / scale;
    if (z <= 0) return -Infinity;
    ll -= c * Math.log(z);
  }
  return ll;
}

/** Probability-weighted-moment estimates (Hosking & Wallis 1987), used as the optimiser's starting point. */
function pwmStart(ySorted: Float64Array): { shape: number; scale: number } {
  const n = ySorted.length;
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += ySorted[i]!;
    a1 += (1 - (i + 0.65) / n) * ySorted[i]!;
  }
  a0 /= n;
  a1 /= n;
  const k = a0 / (a0 - 2 * a1) - 2;
  return { shape: -k, scale: (2 * a0 * a1) / (a0 - 2 * a1) };
}

/** Nelder–Mead on (ξ, log σ): two parameters, a smooth likelihood; no dependency needed. */
function maximise(f: (x: [number, number]) => number, start: [number, number]): [number, number] {
  let simplex: [number, number][] = [start, [start[0] + 0.05, start[1]], [start[0], start[1] + 0.1]];
  let values = simplex.map(f);
  for (let iter = 0; iter < 500; iter++) {
    const order = [0, 1, 2].sort((a, b) => values[b]! - values[a]!);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[0]! - values[2]!) < 1e-10) break;
    const [best, mid, worst] = simplex as [[number, number], [number, number], [number, number]];
    const centroid: [number, number] = [(best[0] + mid[0]) / 2, (best[1] + mid[1]) / 2];
    const at = (t: number): [number, number] => [
      centroid[0] + t * (worst[0] - centroid[0]),
      centroid[1] + t * (worst[1] - centroid[1]),
    ];
    const reflected = at(-1);
    const fr = f(reflected);
    if (fr > values[0]!) {
      const expanded = at(-2);
      const fe = f(expanded);
      [simplex[2], values[2]] = fe > fr ? [expanded, fe] : [reflected, fr];
    } else if (fr > values[1]!) {
      [simplex[2], values[2]] = [reflected, fr];
    } else {
      const contracted = at(0.5);
      const fc = f(contracted);
      if (fc > values[2]!) {
        [simplex[2], values[2]] = [contracted, fc];
      } else {
        simplex = simplex.map((p) => [(p[0] + best[0]) / 2, (p[1] + best[1]) / 2]);
        values = simplex.map(f);
      }
    }
  }
  return simplex[0]!;
}

/**
 * Fits the tail to the scores at or above `threshold`. `exceedanceProbability` is their share of all pairs.
 * `exceedances` must be the exact scores (not binned): the likelihood needs them.
 */
export function fitGpdTail(exceedances: ArrayLike<number>, threshold: number, exceedanceProbability: number): GpdTail {
  const y = Float64Array.from(exceedances, (s) => s - threshold).sort();
  if (y.length < 50) throw new Error(`too few exceedances (${y.length}) to fit a tail model`);
  const start = pwmStart(y);
  const ll = ([shape, logScale]: [number, number]) => logLikelihood(y, shape, Math.exp(logScale));
  const startPoint: [number, number] = Number.isFinite(ll([start.shape, Math.log(start.scale)]))
    ? [start.shape, Math.log(start.scale)]
    : [0, Math.log(y.reduce((s, v) => s + v, 0) / y.length)];
  const [shape, logScale] = maximise(ll, startPoint);
  const scale = Math.exp(logScale);
  return {
    model: 'generalised-pareto',
    fit: 'maximum-likelihood',
    threshold,
    exceedanceProbability,
    exceedances: y.length,
    shape,
    scale,
    upperEndpoint: shape < 0 ? threshold - scale / shape : null,
  };
}
