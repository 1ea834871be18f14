// Synthetic face embeddings for the search benchmark.
//
// Uniformly random unit vectors in 512-d are a poor stand-in for face embeddings: every pair sits at
// cosine 0 ± 0.044, there is no neighbourhood structure for a graph to exploit, and there are no genuine
// matches. Real embeddings from the recommended model (notes/face-models.md, LFW) give impostor cosines
// 0.003 ± 0.100 and genuine cosines 0.649 ± 0.122. This generator reproduces those two distributions:
//
//   * a power-law spectrum λ_j = (j+1)^-α with α chosen so that impostor cosines have σ ≈ 0.10 (an
//     effective dimensionality near 100, as the measured σ implies);
//   * 1024 "look-alike" cluster centres; an identity is x = 0.35·c_k + 0.94·z (same-cluster strangers sit
//     near cosine 0.12, so density is uneven, as with demographics);
//   * every face or probe of an identity is x + β·e with β ~ U[0.45, 1.05], which puts genuine cosines
//     near 0.64 ± 0.09;
//   * a fixed random rotation (two rounds of random signs + Walsh-Hadamard) spreads the energy over all 512
//     coordinates, so int8 quantisation sees realistic per-coordinate magnitudes;
//   * 10 % of gallery entries are a second face of an already enrolled identity (near-duplicates: a mated
//     probe then has two close candidates, as with several faces per applicant).
//
// Everything is deterministic from a seed; identity vectors are regenerated from their id, never stored.

const CLUSTERS = 1024;
const CLUSTER_WEIGHT = 0.35;
const TARGET_IMPOSTOR_SIGMA = 0.1;

/** Small fast PRNG (sfc32); returns a function yielding uniforms in [0, 1). */
function sfc32(a, b, c, d) {
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
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
  for (let j = 0; j < dim; j++) s[j] = Math.pow(j + 1, -alpha);
  return s;
}

function impostorSigma(spectrum) {
  let sum = 0;
  let sum2 = 0;
  for (const l of spectrum) {
    sum += l;
    sum2 += l * l;
  }
  return Math.sqrt(sum2) / sum;
}

function chooseAlpha(dim) {
  let lo = 0;
  let hi = 2;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (impostorSigma(spectrumFor(dim, mid)) < TARGET_IMPOSTOR_SIGMA) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
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

export function createFaceGenerator({ dim = 512, seed = 42 } = {}) {
  if ((dim & (dim - 1)) !== 0) throw new Error('dim must be a power of two');
  const alpha = chooseAlpha(dim);
  // Unit-variance uniform variates scaled by the spectrum's standard deviations.
  const scale = new Float64Array(dim);
  const spectrum = spectrumFor(dim, alpha);
  for (let j = 0; j < dim; j++) scale[j] = Math.sqrt(spectrum[j]) * Math.sqrt(12);
  const signs = [rng(seed, 1, 0), rng(seed, 2, 0)].map((r) => {
    const s = new Float64Array(dim);
    for (let j = 0; j < dim; j++) s[j] = r() < 0.5 ? -1 : 1;
    return s;
  });
  const centres = new Float64Array(CLUSTERS * dim);
  for (let k = 0; k < CLUSTERS; k++) {
    const r = rng(seed, 3, k);
    for (let j = 0; j < dim; j++) centres[k * dim + j] = (r() - 0.5) * scale[j];
  }

  const identity = new Float64Array(dim);
  const work = new Float64Array(dim);
  const w = Math.sqrt(1 - CLUSTER_WEIGHT * CLUSTER_WEIGHT);

  function identityLatent(id) {
    const r = rng(seed, 4, id);
    const k = Math.floor(r() * CLUSTERS);
    for (let j = 0; j < dim; j++) identity[j] = CLUSTER_WEIGHT * centres[k * dim + j] + w * (r() - 0.5) * scale[j];
  }

  /** Writes a unit-norm sample of identity `id` (noise stream `stream`, `index`) into out[offset..]. */
  function sample(id, stream, index, out, offset) {
    identityLatent(id);
    const r = rng(seed, stream, index);
    const beta = 0.45 + 0.6 * r();
    for (let j = 0; j < dim; j++) work[j] = identity[j] + beta * (r() - 0.5) * scale[j];
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
