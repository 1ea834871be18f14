export type Rng = () => number;

/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1), so that training runs, synthetic data and
 * tests that draw random vectors give the same draws on every run.
 */
export function seededRandom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
