// Synthetic face embeddings for the search benchmark.
//
// Uniformly random unit vectors in 512-d are a poor stand-in for face embeddings: every pair sits at
// cosine 0 ± 0.044, there is no neighbourhood structure, and there are no genuine matches. This generator
// draws identities and their photos from a model calibrated against real embeddings: lfw-dev run through the
// project's face engine (fr_feature, 512-d), one photo per person as the gallery (2,086) and a second photo as
// the probe (774 people). `node bench/experiments/generator-calibration.mjs --lfw-cache …` compares the two:
//
//   real lfw-dev          genuine 0.677 ± 0.131, impostor 0.007 ± 0.096, HNSW recall@1 0.71 / 0.89 / 0.97 / 0.99
//   spectrum 'lfw'        genuine 0.699 ± 0.115, impostor 0.000 ± 0.091, HNSW recall@1 0.63-0.67 / 0.80 / 0.93 / 0.98
//   spectrum 'power'      genuine 0.640 ± 0.114, impostor 0.000 ± 0.095, HNSW recall@1 0.71 / 0.84 / 0.91 / 0.97
//
// (usearch HNSW M=16, ef_add=64, at ef = 2 / 4 / 8 / 16: how hard a nearest-neighbour search is; both
// generators are slightly harder than the real faces; the graph's build is multi-threaded, so ±0.04 between runs.)
//
//   * 'lfw' (the default since 2026-11-26): identity and within-person variances follow the profiles measured on
//     the real embeddings' principal directions (lfwSpectrum), which end at ~148 directions: real face
//     embeddings of this model have an effective rank of about 140 (97.1% of a one-photo-per-person gallery's
//     variance in 128 directions; this generator 96.1%). 'power' (the earlier default, which every figure
//     before that date used): λ_j = (j+1)^-0.85 over all 512 directions for identities, exponent 0.4 for
//     within-person noise (61% of the variance in 128 directions). An index whose design depends on the
//     spectrum (a learned code did) looks better on 'power' than it is on real faces;
//   * 1024 "look-alike" cluster centres: an identity is x = 0.35·c_k + 0.94·z;
//   * a photo (gallery face or probe) of an identity is x + β·e, β ~ U[betaMin, betaMin + 0.9] (0.2 for 'lfw',
//     0.3 for 'power'), where the within-person noise e has a flatter spectrum than identities. This is what made
//     the synthetic search as hard as the real one: with identity and noise sharing one spectrum, HNSW recall@1
//     at ef=16 was 0.86 against the real 0.98;
//   * a fixed random rotation (two rounds of random signs + Walsh-Hadamard) spreads the energy over all 512
//     coordinates, so int8 quantisation sees realistic per-coordinate magnitudes;
//   * 10 % of gallery entries are a second photo of an already enrolled identity (near-duplicates: a mated
//     probe then has two close candidates, as with several faces per applicant).
//
// Everything is deterministic from a seed; identity vectors are regenerated from their id, never stored.
// Limits: the calibration is at 2k faces (the largest real set here); real photos also include failures
// (low genuine scores), which do not affect recall against exact search.

const CLUSTERS = 1024;
const CLUSTER_WEIGHT = 0.35;
const IDENTITY_ALPHA = 0.85;
const NOISE_ALPHA = 0.4;

/** Small fast PRNG (sfc32); returns a function yielding uniforms in [0, 1). */
function sfc32(a, b, c, d) {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function rng(seed, stream, index) {
  // Mix the three integers so neighbouring ids give unrelated streams.
  const r = sfc32(seed ^ 0x9e3779b9, stream * 0x85ebca6b, index ^ 0xc2b2ae35, (index * 0x27d4eb2f) ^ stream);
  for (let i = 0; i < 12; i++) r();
  return r;
}

function spectrumFor(dim, alpha) {
  const s = new Float64Array(dim);
  for (let j = 0; j < dim; j++) s[j] = (j + 1) ** -alpha;
  return s;
}

/**
 * Variance profiles measured on real embeddings (lfw-dev through the project's face engine, in the principal
 * directions of all 5,373 photos): between-person variance is nearly flat over the first ~30 directions and
 * falls as exp(-(j/84)^1.3), within-person variance as exp(-(j/118)^2.4), and both end at about 148 directions
 * (the embeddings' effective rank: the 161st eigenvalue is 1/200 of the 129th).
 */
const LFW_RANK = 148;
function lfwSpectrum(dim, tau, power) {
  const s = new Float64Array(dim);
  for (let j = 0; j < Math.min(dim, LFW_RANK); j++) s[j] = Math.exp(-((j / tau) ** power));
  return s;
}

/** In-place normalised fast Walsh-Hadamard transform (dim must be a power of two). */
function fwht(v) {
  const n = v.length;
  for (let h = 1; h < n; h <<= 1) {
    for (let i = 0; i < n; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = v[j];
        const y = v[j + h];
        v[j] = x + y;
        v[j + h] = x - y;
      }
    }
  }
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) v[i] *= s;
}

export function createFaceGenerator({
  dim = 512,
  seed = 42,
  alpha = IDENTITY_ALPHA,
  noiseAlpha = NOISE_ALPHA,
  clusterWeight = CLUSTER_WEIGHT,
  clusters = CLUSTERS,
  spectrum: shape = 'lfw',
  betaMin = shape === 'lfw' ? 0.2 : 0.3,
  betaRange = 0.9,
} = {}) {
  if ((dim & (dim - 1)) !== 0) throw new Error('dim must be a power of two');
  if (shape !== 'power' && shape !== 'lfw') throw new Error('spectrum must be power or lfw');
  // Unit-variance uniform variates scaled by the spectrum's standard deviations.
  const scale = new Float64Array(dim);
  const spectrum = shape === 'lfw' ? lfwSpectrum(dim, 84, 1.3) : spectrumFor(dim, alpha);
  for (let j = 0; j < dim; j++) scale[j] = Math.sqrt(spectrum[j]) * Math.sqrt(12);
  // Within-identity noise may follow its own spectrum; scaled to the same total variance.
  const noiseScale = new Float64Array(dim);
  {
    const ns = shape === 'lfw' ? lfwSpectrum(dim, 118, 2.4) : spectrumFor(dim, noiseAlpha);
    const total = spectrum.reduce((a, b) => a + b, 0);
    const nTotal = ns.reduce((a, b) => a + b, 0);
    for (let j = 0; j < dim; j++) noiseScale[j] = Math.sqrt((ns[j] * total) / nTotal) * Math.sqrt(12);
  }
  const signs = [rng(seed, 1, 0), rng(seed, 2, 0)].map((r) => {
    const s = new Float64Array(dim);
    for (let j = 0; j < dim; j++) s[j] = r() < 0.5 ? -1 : 1;
    return s;
  });
  const centres = new Float64Array(clusters * dim);
  for (let k = 0; k < clusters; k++) {
    const r = rng(seed, 3, k);
    for (let j = 0; j < dim; j++) centres[k * dim + j] = (r() - 0.5) * scale[j];
  }

  const identity = new Float64Array(dim);
  const work = new Float64Array(dim);
  const w = Math.sqrt(1 - clusterWeight * clusterWeight);

  function identityLatent(id) {
    const r = rng(seed, 4, id);
    const k = Math.floor(r() * clusters);
    for (let j = 0; j < dim; j++) identity[j] = clusterWeight * centres[k * dim + j] + w * (r() - 0.5) * scale[j];
  }

  /** Writes a unit-norm sample of identity `id` (noise stream `stream`, `index`) into out[offset..]. */
  function sample(id, stream, index, out, offset) {
    identityLatent(id);
    const r = rng(seed, stream, index);
    const beta = betaMin + betaRange * r();
    for (let j = 0; j < dim; j++) work[j] = identity[j] + beta * (r() - 0.5) * noiseScale[j];
    for (let round = 0; round < 2; round++) {
      const s = signs[round];
      for (let j = 0; j < dim; j++) work[j] *= s[j];
      fwht(work);
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += work[j] * work[j];
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[offset + j] = work[j] * inv;
  }

  /** Identity enrolled at gallery entry i: 90 % unique identities, then second faces of earlier ones. */
  function galleryIdentity(i, n) {
    const unique = Math.ceil(n * 0.9);
    if (i < unique) return i;
    return Math.floor(rng(seed, 5, i)() * unique);
  }

  return {
    dim,
    alpha,
    galleryIdentity,
    /** Fills out (n*dim) with gallery faces start..start+count of an n-face gallery. */
    gallery(n, out, start = 0, count = n) {
      for (let i = start; i < start + count; i++) sample(galleryIdentity(i, n), 6, i, out, i * dim);
    },
    /**
     * Probes: `mated` probes of enrolled identities (a fresh sample, never the enrolled one) and
     * `strangers` of identities that are not enrolled. Returns vectors and, per probe, the mate identity or -1.
     */
    probes(n, mated, strangers) {
      const total = mated + strangers;
      const vectors = new Float32Array(total * dim);
      const mates = new Int32Array(total);
      const unique = Math.ceil(n * 0.9);
      for (let q = 0; q < total; q++) {
        if (q < mated) {
          const id = Math.floor(rng(seed, 7, q)() * unique);
          mates[q] = id;
          sample(id, 8, q, vectors, q * dim);
        } else {
          mates[q] = -1;
          sample(2_000_000_000 + q, 8, q, vectors, q * dim);
        }
      }
      return { vectors, mates };
    },
  };
}
