// Real-face 1:N on an LFW-layout folder: the face index and pool policy, face selection (refusal and wrong-face
// rates), open-set error rates per gallery size with and without a second embedder (score fusion) and with and
// without face quality in the score. Figures: docs/pools.md and docs/accuracy.md.
//
// Usage: npm run bench:search-lfw [-- --lfw ../shared/data/lfw-dev --cache /tmp/lfw-faces.json
//          --fusion-cache /tmp/lfw-second.json --embeddings-out /tmp/lfw-embeddings.bin] [--no-fusion] [--no-shared]
//
// Every photo is analysed once (all faces) and cached with --cache; the second embedder's descriptors likewise
// with --fusion-cache (it takes ~15 min on 2 busy cores). --embeddings-out writes the central faces' embeddings
// (Float32, 512 per photo, in photo order) for bench/experiments/generator-calibration.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FACE_QUALITY, pickSingleFace } from '../dist/domain/pools/enrolment-gate.js';
import { poolDecisionPolicy } from '../dist/domain/pools/pool-threshold.js';
import { defaultScoreCalibration } from '../dist/infra/face/calibration/score-calibration.js';
import { falseNonMatchRateAt, thresholdForFpir } from '../dist/infra/face/calibration/face-calibration.js';
import { buildCalibration } from '../dist/tools/face-eval/calibration-builder.js';
import { parsePairs } from '../dist/tools/face-eval/lfw-dataset.js';
import { pairDistributions } from '../dist/tools/face-eval/score-distribution.js';
import { kFoldAccuracy } from '../dist/tools/face-eval/verification-metrics.js';
import { createFaceEngine } from '../dist/infra/face/face-engine.factory.js';
import { InMemoryFaceIndex } from '../dist/infra/face-index/in-memory-face.index.js';
import { analyseAll, centralFaceIndex, lfwPhotos } from './lib/lfw-face-cache.mjs';
import { openSetRates, pct, round, top1 } from './lib/open-set.mjs';
import { sharedGroupPhotos } from './lib/shared-group-photos.mjs';

const { values } = parseArgs({
  options: {
    lfw: { type: 'string', default: join(import.meta.dirname, '..', '..', 'shared', 'data', 'lfw-dev') },
    cache: { type: 'string' },
    'fusion-cache': { type: 'string' },
    'embeddings-out': { type: 'string' },
    'no-fusion': { type: 'boolean', default: false },
    'no-shared': { type: 'boolean', default: false },
  },
});
const log = (s) => process.stderr.write(`${s}\n`);
const images = await analyseAll(lfwPhotos(values.lfw), values.cache);
const central = images.map(centralFaceIndex);
const people = [];
for (const [i, im] of images.entries()) {
  if (i === 0 || images[i - 1].person !== im.person) people.push([]);
  people.at(-1).push(i);
}
const dot = (a, b) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const calibration = defaultScoreCalibration(process.env.OPENIDV_FACE_CALIBRATION);
if (values['embeddings-out']) {
  const out = new Float32Array(images.length * 512).fill(Number.NaN);
  images.forEach((im, i) => central[i] >= 0 && out.set(im.faces[central[i]].embedding, i * 512));
  writeFileSync(values['embeddings-out'], Buffer.from(out.buffer));
}

// ---- 1. The index and the pool policy on the central faces (the evaluator's choice; every photo usable) ----------

function indexVariant(facesPerApplicant, kind, rerank) {
  const index = new InMemoryFaceIndex({
    exactLimit: kind === 'scan' ? 0 : 1e9,
    promotion: 'sync',
    ...(rerank ? { rerank } : {}),
  });
  const owner = new Map();
  const mated = [];
  const nonMated = [];
  let key = 1;
  for (const [p, ids] of people.entries()) {
    if (ids.length === 1) {
      nonMated.push(ids[0]);
      continue;
    }
    const n = ids.length >= 3 ? facesPerApplicant : 1;
    for (const g of ids.slice(0, n)) {
      owner.set(key, p);
      index.add('lfw', key++, images[g].faces[central[g]].embedding);
    }
    for (const probe of ids.slice(n)) mated.push({ probe, p });
  }
  const best = (i) => {
    const [hit] = index.search('lfw', images[i].faces[central[i]].embedding, 10);
    return hit ? { owner: owner.get(hit.key), score: hit.similarity } : { owner: -1, score: -1 };
  };
  const matedHits = mated.map(({ probe, p }) => {
    const b = best(probe);
    return { hit: b.owner === p, score: b.score };
  });
  const strangers = nonMated.map((i) => ({ score: best(i).score }));
  const policy = poolDecisionPolicy({}, index.size('lfw'), calibration);
  const [empirical] = openSetRates(matedHits, strangers, [0.01]);
  const result = {
    variant: `${kind}${rerank ? ` (re-rank ${rerank})` : ''}, ${facesPerApplicant} face(s) per applicant`,
    gallery_faces: index.size('lfw'),
    mated_probes: matedHits.length,
    non_mated_probes: strangers.length,
    rank1: round(matedHits.filter((h) => h.hit).length / matedHits.length),
    empirical: { threshold: empirical.threshold, fpir: empirical.fpir, fnir: empirical.fnir },
    policy: {
      threshold: round(policy.threshold),
      measured_fpir: round(strangers.filter((s) => s.score >= policy.threshold).length / strangers.length),
      measured_fnir: round(matedHits.filter((h) => !(h.hit && h.score >= policy.threshold)).length / matedHits.length),
    },
  };
  index.close();
  return result;
}

// ---- 2. Face selection: which face each photo gives, or why none ------------------------------------------------

/** For each choice rule: per photo the face index used, or the refusal code. */
const verdicts = Object.fromEntries(
  ['single', 'dominant'].map((choice) => [
    choice,
    images.map((im) => {
      const v = pickSingleFace({ ...im, modelSetId: '', rotation: 0 }, DEFAULT_FACE_QUALITY, choice);
      return 'refusal' in v ? { refusal: v.refusal } : { face: im.faces.indexOf(v.face) };
    }),
  ]),
);
verdicts.central = images.map((_, i) => (central[i] < 0 ? { refusal: 'NO_FACE_DETECTED' } : { face: central[i] }));

/**
 * The ground truth check behind the wrong-face rate: on multi-face photos whose person has other photos, is the
 * face most like those photos (when one matches, cosine ≥ 0.34) the central one?
 */
function centralIsIdentity() {
  let matched = 0;
  let central_ = 0;
  for (const ids of people) {
    for (const i of ids) {
      if (images[i].faces.length < 2 || ids.length < 2) continue;
      const mates = ids.filter((j) => j !== i).map((j) => images[j].faces[central[j]].embedding);
      const best = images[i].faces.map((f) => Math.max(...mates.map((m) => dot(f.embedding, m))));
      const top = best.indexOf(Math.max(...best));
      if (best[top] < 0.34) continue;
      matched++;
      if (top === central[i]) central_++;
    }
  }
  return { multi_face_photos_matching_their_person: matched, of_which_the_central_face: central_ };
}

function selectionRates(choice) {
  const v = verdicts[choice];
  const refusals = {};
  for (const r of v) if (r.refusal) refusals[r.refusal] = (refusals[r.refusal] ?? 0) + 1;
  const used = v.filter((r) => r.face !== undefined);
  // LFW crops are centred on the labelled person (on every multi-face photo whose person has other photos, the
  // central face is also the one most like those photos), so any other face used is the wrong person.
  const wrong = v.filter((r, i) => r.face !== undefined && r.face !== central[i]).length;
  const multi = v.filter((_, i) => images[i].faces.length > 1);
  return {
    choice,
    photos: v.length,
    multi_face_photos: multi.length,
    refused: v.length - used.length,
    refusal_rate: round((v.length - used.length) / v.length),
    refusals,
    multi_face_refused: multi.filter((r) => r.refusal === 'MULTIPLE_FACES_DETECTED').length,
    wrong_face: wrong,
    wrong_face_rate: round(wrong / Math.max(1, used.length)),
  };
}

// ---- 3. Open set through the gate: enrol one photo per person, search with the others ----------------------------

/**
 * Gallery of GALLERY faces: the first photo of each person with two or more (their other photos are mated probes),
 * topped up with distractors (every other single-photo person); the remaining single-photo people are non-mated
 * probes. A refused enrolment photo leaves its person out (their probes are not counted); a refused probe is a miss
 * in fnir_with_refusals.
 */
const GALLERY = 1000;
function protocol(choice) {
  const v = verdicts[choice];
  const gallery = [];
  const mated = [];
  const nonMated = [];
  let refusedEnrolments = 0;
  let refusedMated = 0;
  let refusedNonMated = 0;
  const singles = [];
  for (const [p, ids] of people.entries()) {
    if (ids.length === 1) {
      singles.push({ p, id: ids[0] });
      continue;
    }
    if (v[ids[0]].refusal) {
      refusedEnrolments++;
      continue;
    }
    gallery.push({ id: ids[0], owner: p });
    for (const probe of ids.slice(1)) {
      if (v[probe].refusal) refusedMated++;
      else mated.push({ id: probe, owner: p });
    }
  }
  for (const [k, s] of singles.entries()) {
    if (k % 2 === 0 && gallery.length < GALLERY) {
      if (!v[s.id].refusal) gallery.push({ id: s.id, owner: s.p });
    } else if (v[s.id].refusal) refusedNonMated++;
    else nonMated.push({ id: s.id, owner: s.p });
  }
  return { choice, gallery, mated, nonMated, refusedEnrolments, refusedMated, refusedNonMated };
}

function openSet(run, score) {
  const matedHits = run.mated.map((m) => {
    const t = top1(m, run.gallery, score);
    return { hit: t.owner === m.owner, score: t.score };
  });
  const strangers = run.nonMated.map((m) => ({ score: top1(m, run.gallery, score).score }));
  return { matedHits, strangers, rates: openSetRates(matedHits, strangers, [0.01, 0.1], run.refusedMated) };
}

// ---- 4. Scores: the product's cosine, the second embedder, their fusion, quality ---------------------------------

const faceOf = (choice) => (i) => images[i].faces[verdicts[choice][i].face];
const cosine = (choice) => (a, b) => dot(faceOf(choice)(a).embedding, faceOf(choice)(b).embedding);

let second = null;
let cost = null;
if (!values['no-fusion']) {
  const { embedderCost, secondOpinionAll } = await import('./lib/second-embedder.mjs');
  second = await secondOpinionAll(images, values['fusion-cache']);
  cost = await embedderCost(images);
}

/** A deterministic sample of cross-identity central-face scores, sorted ascending. */
function impostorSample(vecOf) {
  const xs = [];
  for (let i = 0; i < images.length; i += 7) {
    for (let j = i + 3; j < images.length; j += 97)
      if (images[i].person !== images[j].person) xs.push(dot(vecOf(i), vecOf(j)));
  }
  return xs.sort((a, b) => a - b);
}
function impostorStd(vecOf) {
  const xs = impostorSample(vecOf);
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
}

/**
 * Fusion of z-normalised scores s1/σ1 + w·s2/σ2, written as one cosine between concatenated vectors
 * [a·e1, b·e2] with a² ∝ 1/σ1, b² ∝ w/σ2 and a² + b² = 1, so the same pair, calibration and index code applies.
 */
function fusedVectors(w) {
  const s1 = impostorStd((i) => images[i].faces[central[i]].embedding);
  const s2 = impostorStd((i) => second.perImage[i][central[i]]);
  const a2 = 1 / s1 / (1 / s1 + w / s2);
  const [a, b] = [Math.sqrt(a2), Math.sqrt(1 - a2)];
  return images.map((im, i) =>
    im.faces.map((f, k) => {
      const v = new Float32Array(f.embedding.length + 128);
      for (let d = 0; d < f.embedding.length; d++) v[d] = a * f.embedding[d];
      const e2 = second.perImage[i][k];
      for (let d = 0; d < 128; d++) v[f.embedding.length + d] = b * e2[d];
      return v;
    }),
  );
}

/** Every-pair calibration (as `eval faces --calibration-out` builds it) of the central faces under one representation. */
function calibrate(vecOf, dims) {
  const ok = images.map((_, i) => i).filter((i) => central[i] >= 0);
  const packed = new Float32Array(ok.length * dims);
  ok.forEach((i, r) => packed.set(vecOf(i), r * dims));
  const ids = new Map();
  const identity = Int32Array.from(ok, (i) => {
    const person = images[i].person;
    if (!ids.has(person)) ids.set(person, ids.size);
    return ids.get(person);
  });
  // Exact scores are kept from about the top 1% of impostors (the tail fit needs the top 0.1%).
  const sample = impostorSample(vecOf);
  const tailFrom = sample[Math.floor(sample.length * 0.99)];
  return buildCalibration(pairDistributions(packed, dims, identity, tailFrom), {
    modelSetId: 'bench',
    dataset: { name: 'lfw-dev' },
    command: 'bench',
  });
}

/**
 * Every-pair calibration of the quality-adjusted score s + β·(min(n_i, n_j) − 3.5) on the central faces: the same
 * distributions pairDistributions keeps (histogram, exact upper tail, genuine scores), for a score that is not a
 * plain dot product.
 */
function calibrateQualityAdjusted(beta) {
  const ok = images.map((_, i) => i).filter((i) => central[i] >= 0);
  const vec = ok.map((i) => images[i].faces[central[i]].embedding);
  const norm = ok.map((i) => images[i].faces[central[i]].quality.embeddingNorm);
  const person = ok.map((i) => images[i].person);
  const BIN = 1e-4;
  const histogram = new Uint32Array(Math.round(2 / BIN) + 1);
  const genuine = [];
  const tail = [];
  const tailFrom = 0.3;
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  let max = -Infinity;
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const s = dot(vec[i], vec[j]) + beta * (Math.min(norm[i], norm[j]) - 3.5);
      if (person[i] === person[j]) {
        genuine.push(s);
        continue;
      }
      count++;
      sum += s;
      sumSq += s * s;
      if (s > max) max = s;
      histogram[Math.min(histogram.length - 1, Math.max(0, Math.floor((s + 1) / BIN)))]++;
      if (s >= tailFrom) tail.push(s);
    }
  }
  const mean = sum / count;
  const d = {
    impostor: {
      count,
      mean,
      std: Math.sqrt(sumSq / count - mean * mean),
      max,
      histogram,
      tail: Float32Array.from(tail).sort().reverse(),
      tailFrom,
    },
    genuine: Float32Array.from(genuine).sort(),
  };
  return buildCalibration(d, { modelSetId: 'bench', dataset: { name: 'lfw-dev' }, command: 'bench' });
}

/** Expected FNIR per gallery size and FPIR: the genuine miss rate at the threshold the calibrated tail gives. */
function extrapolate(cal) {
  const rows = [];
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    const row = { gallery: n };
    for (const fpir of [0.01, 0.1]) {
      const t = thresholdForFpir(cal, fpir, n);
      row[`fnir_at_fpir_${fpir * 100}pct`] = round(falseNonMatchRateAt(cal, t));
    }
    rows.push(row);
  }
  return rows;
}

const { pairs, folds } = parsePairs(readFileSync(join(values.lfw, 'pairs.txt'), 'utf8'));
const indexOfId = new Map(images.map((im, i) => [im.path.slice(join(values.lfw, 'images').length + 1), i]));
function verification(vecOf) {
  const scored = pairs.map((p) => ({
    score: dot(vecOf(indexOfId.get(p.a)), vecOf(indexOfId.get(p.b))),
    same: p.same,
    fold: p.fold,
  }));
  return round(kFoldAccuracy(scored, folds).mean);
}

/**
 * Quality in the score: s + β·(min(n_probe, n_gallery) − 3.5), n = the raw embedding norm (the quality measure that
 * tracks recognisability best here). β is chosen on one half of the people and applied to the other, both ways.
 */
function qualityAdjusted(choice, beta) {
  const base = cosine(choice);
  return (a, b) =>
    base(a, b) +
    beta * (Math.min(faceOf(choice)(a).quality.embeddingNorm, faceOf(choice)(b).quality.embeddingNorm) - 3.5);
}

function halves(run) {
  const half = (h) => ({
    ...run,
    mated: run.mated.filter((m) => m.owner % 2 === h),
    nonMated: run.nonMated.filter((m) => m.owner % 2 === h),
    refusedMated: 0,
  });
  return [half(0), half(1)];
}

function qualityExperiment(run) {
  const betas = [-0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1];
  const at = (r, beta) => openSet(r, qualityAdjusted(run.choice, beta)).rates[0].fnir;
  const [h0, h1] = halves(run);
  const grid = betas.map((beta) => ({ beta, fnir_half_a: at(h0, beta), fnir_half_b: at(h1, beta) }));
  const pick = (key) => grid.reduce((b, g) => (g[key] < b[key] ? g : b)).beta;
  const [betaA, betaB] = [pick('fnir_half_a'), pick('fnir_half_b')];
  return {
    grid,
    cross_validated: {
      beta_from_a_on_b: betaA,
      fnir_b: at(h1, betaA),
      baseline_b: at(h1, 0),
      beta_from_b_on_a: betaB,
      fnir_a: at(h0, betaB),
      baseline_a: at(h0, 0),
    },
  };
}

/** Error rates per bin of a probe quality measure, at the threshold that gives FPIR 1% over all non-mated probes. */
function qualityBins(run, result) {
  const t = result.rates[0].threshold;
  const q = (id) => faceOf(run.choice)(id).quality;
  const measures = {
    face_size_px: { of: (x) => x.faceSizePx, edges: [60, 70, 80] },
    sharpness: { of: (x) => x.sharpness, edges: [100, 200, 400] },
    abs_yaw_deg: { of: (x) => Math.abs(x.yawDeg), edges: [10, 20, 30] },
    brightness: { of: (x) => x.brightness, edges: [80, 120, 160] },
    embedding_norm: { of: (x) => x.embeddingNorm, edges: [3, 3.5, 4] },
  };
  const out = {};
  for (const [name, m] of Object.entries(measures)) {
    const bin = (id) => m.edges.filter((e) => m.of(q(id)) >= e).length;
    out[name] = m.edges.concat(Infinity).map((hi, k) => {
      const lo = k === 0 ? -Infinity : m.edges[k - 1];
      const mated = result.matedHits.filter((_, j) => bin(run.mated[j].id) === k);
      const strangers = result.strangers.filter((_, j) => bin(run.nonMated[j].id) === k);
      return {
        bin: `${lo === -Infinity ? '' : lo}–${hi === Infinity ? '' : hi}`,
        mated: mated.length,
        fnir: round(mated.filter((h) => !(h.hit && h.score >= t)).length / Math.max(1, mated.length)),
        non_mated: strangers.length,
        fpir: round(strangers.filter((s) => s.score >= t).length / Math.max(1, strangers.length)),
      };
    });
  }
  return out;
}

// ---- run ----------------------------------------------------------------------------------------------------------

const report = {
  dataset: values.lfw,
  photos: images.length,
  people: people.length,
  no_face: images.filter((im) => !im.faces.length).length,
};
report.index = [
  indexVariant(1, 'exact'),
  indexVariant(1, 'scan'),
  indexVariant(1, 'scan', 50),
  indexVariant(2, 'exact'),
];
report.selection = ['single', 'dominant'].map(selectionRates);
report.selection_ground_truth = centralIsIdentity();
if (!values['no-shared']) {
  const engine = await createFaceEngine({ inProcess: true });
  report.shared_group_photos = await sharedGroupPhotos(engine, join(values.lfw, '..'), DEFAULT_FACE_QUALITY);
  await engine.close();
}

log('open-set runs');
const runs = Object.fromEntries(['central', 'single', 'dominant'].map((c) => [c, protocol(c)]));
report.open_set = {};
for (const run of Object.values(runs)) {
  const base = openSet(run, cosine(run.choice));
  report.open_set[run.choice] = {
    gallery_faces: run.gallery.length,
    mated_probes: run.mated.length,
    non_mated_probes: run.nonMated.length,
    refused_enrolments: run.refusedEnrolments,
    refused_mated_probes: run.refusedMated,
    refused_non_mated_probes: run.refusedNonMated,
    rank1: round(base.matedHits.filter((h) => h.hit).length / base.matedHits.length),
    cosine: base.rates,
  };
  if (run.choice === 'dominant') {
    report.quality_bins = qualityBins(run, base);
    report.quality_in_score = qualityExperiment(run);
  }
}

log('every-pair calibrations');
const baseVec = (i) => images[i].faces[central[i]].embedding;
const baseCal = calibrate(baseVec, 512);
report.extrapolated = { cosine: extrapolate(baseCal) };
for (const beta of [-0.05, -0.1])
  report.extrapolated[`quality_adjusted_beta_${beta}`] = extrapolate(calibrateQualityAdjusted(beta));
report.verification = { cosine: verification(baseVec) };
if (second) {
  const secondVec = (i) => second.perImage[i][central[i]];
  report.second_embedder = {
    name: second.embedder,
    cost_per_face: cost,
    ms_per_face_during_cache_run: second.msPerFace,
    verification: verification(secondVec),
    extrapolated: extrapolate(calibrate(secondVec, 128)),
  };
  report.fusion = [];
  for (const w of [0.5, 1]) {
    const fused = fusedVectors(w);
    const vecOf = (i) => fused[i][central[i]];
    const entry = {
      weight: w,
      verification: verification(vecOf),
      extrapolated: extrapolate(calibrate(vecOf, 640)),
      open_set: {},
    };
    for (const run of Object.values(runs)) {
      const f = verdicts[run.choice];
      entry.open_set[run.choice] = openSet(run, (a, b) => dot(fused[a][f[a].face], fused[b][f[b].face])).rates;
    }
    report.fusion.push(entry);
  }
}
console.log(JSON.stringify(report, null, 2));

// A compact digest for the docs.
const s = report.selection.map(
  (r) =>
    `${r.choice}: refused ${r.refused}/${r.photos} (${pct(r.refusal_rate)}; multi-face ${r.multi_face_refused}/${r.multi_face_photos}), wrong face ${r.wrong_face} (${pct(r.wrong_face_rate)})`,
);
log(s.join('\n'));
