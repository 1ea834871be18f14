// Exact binomial bounds for an observed rate (Clopper–Pearson), by bisection on the binomial distribution.

function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  // Sum in log space: n is a few thousand at most here.
  let logTerm = n * Math.log(1 - p);
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p / (1 - p));
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/**
 * One-sided upper confidence bound for a proportion of `x` in `n` (default 95%): the largest p for which seeing
 * `x` or fewer is still at least 5% likely. With x = 0 it is 1 − 0.05^(1/n): 1.49% for n = 200.
 */
export function clopperPearsonUpper(x: number, n: number, confidence = 0.95): number {
  if (n <= 0) return 1;
  if (x >= n) return 1;
  const alpha = 1 - confidence;
  let lo = x / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(x, n, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}
