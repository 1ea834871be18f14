// Real-face 1:N through the face index and the pool decision policy, on an LFW-layout folder.
// Usage: npm run bench:search-lfw [-- --lfw ../shared/data/lfw-dev --cache /tmp/lfw-embeddings.bin]
//
// Gallery: the first photo of every person with two or more photos (and, in the "two faces" variant, their
// second photo too when they have three or more). Mated probes: their remaining photos. Non-mated probes: every
// photo of people with a single photo (never enrolled). Reports rank-1, FNIR at FPIR 1% (threshold chosen on
// the probes: the best achievable), and what the pool policy's derived threshold gives at this gallery size.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultScoreCalibration } from '../dist/infra/face/calibration/score-calibration.js';
import { createFaceEngine } from '../dist/infra/face/face-engine.factory.js';
import { InMemoryFaceIndex } from '../dist/infra/face-index/in-memory-face.index.js';
import { poolDecisionPolicy } from '../dist/domain/pools/pool-threshold.js';

const { values } = parseArgs({
  options: {
    lfw: { type: 'string', default: join(import.meta.dirname, '..', '..', 'shared', 'data', 'lfw-dev') },
    cache: { type: 'string' },
  },
});
const root = join(values.lfw, 'images');
const people = readdirSync(root)
  .sort()
  .map((name) => ({ name, photos: readdirSync(join(root, name)).sort().map((f) => join(root, name, f)) }));
const all = people.flatMap((p) => p.photos);

// Embed every photo once (the largest face; a photo without a face is a failure to enrol or to search).
const DIM = 512;
let embeddings;
if (values.cache && existsSync(values.cache)) {
  embeddings = new Float32Array(readFileSync(values.cache).buffer.slice(0));
} else {
  const engine = await createFaceEngine({});
  embeddings = new Float32Array(all.length * DIM).fill(NaN);
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < all.length; i += 4) {
        const analysis = await engine.analyse(readFileSync(all[i]), { liveness: false, maxFaces: 3 });
        const face = analysis.faces.slice().sort((a, b) => centreDistance(a, analysis) - centreDistance(b, analysis))[0];
        if (face) embeddings.set(face.embedding, i * DIM);
        if (++done % 250 === 0) process.stderr.write(`\rembedded ${done}/${all.length} (${(done / ((Date.now() - started) / 1000)).toFixed(1)}/s)`);
      }
    }),
  );
  process.stderr.write('\n');
  await engine.close();
  if (values.cache) writeFileSync(values.cache, Buffer.from(embeddings.buffer));
}

/** LFW photos are centred on their subject: the face nearest the centre is the labelled person. */
function centreDistance(face, analysis) {
  const cx = face.box.x + face.box.width / 2 - analysis.width / 2;
  const cy = face.box.y + face.box.height / 2 - analysis.height / 2;
  return cx * cx + cy * cy;
}

const vec = (i) => embeddings.subarray(i * DIM, (i + 1) * DIM);
const ok = (i) => !Number.isNaN(embeddings[i * DIM]);
const indexOf = new Map(all.map((p, i) => [p, i]));
const calibration = defaultScoreCalibration(process.env.OPENIDV_FACE_CALIBRATION);

// `rerank` below the pool's size makes the scan index answer from its estimate's best candidates only: at 50 of
// ~2,000 faces it is a harsher setting than the default (1,000 of a million), a check of the estimate on real faces.
function evaluate(facesPerApplicant, kind, rerank = undefined) {
  const index = new InMemoryFaceIndex({ exactLimit: kind === 'scan' ? 0 : 1e9, promotion: 'sync', ...(rerank ? { rerank } : {}) });
  const keyOwner = new Map();
  let key = 1;
  const mated = [];
  const nonMated = [];
  let enrolled = 0;
  for (const [personId, person] of people.entries()) {
    const ids = person.photos.map((p) => indexOf.get(p));
    if (ids.length === 1) {
      if (ok(ids[0])) nonMated.push(ids[0]);
      continue;
    }
    const gallery = ids.slice(0, ids.length >= 3 ? facesPerApplicant : 1).filter(ok);
    if (!gallery.length) continue;
    enrolled++;
    for (const g of gallery) {
      keyOwner.set(key, personId);
      index.add('lfw', key++, vec(g));
    }
    for (const probe of ids.slice(ids.length >= 3 ? facesPerApplicant : 1).filter(ok)) mated.push({ probe, personId });
  }
  const best = (probe) => {
    const hits = index.search('lfw', vec(probe), 10);
    return hits.length ? { owner: keyOwner.get(hits[0].key), similarity: hits[0].similarity } : { owner: -1, similarity: -1 };
  };
  const matedHits = mated.map(({ probe, personId }) => ({ ...best(probe), personId }));
  const strangerScores = nonMated.map((p) => best(p).similarity).sort((a, b) => b - a);
  const rank1 = matedHits.filter((h) => h.owner === h.personId).length / matedHits.length;
  const fnirAt = (t) => matedHits.filter((h) => !(h.owner === h.personId && h.similarity >= t)).length / matedHits.length;
  const fpirAt = (t) => strangerScores.filter((s) => s >= t).length / strangerScores.length;
  const empiricalT = strangerScores[Math.floor(0.01 * strangerScores.length)] + 1e-6;
  const policy = poolDecisionPolicy({}, index.size('lfw'), calibration);
  const result = {
    variant: `${kind}${rerank ? ` (re-rank ${rerank})` : ""}, ${facesPerApplicant} face(s) per applicant`,
    gallery_faces: index.size('lfw'),
    enrolled_people: enrolled,
    mated_probes: matedHits.length,
    non_mated_probes: strangerScores.length,
    rank1: round(rank1),
    empirical: { threshold: round(empiricalT), fpir: round(fpirAt(empiricalT)), fnir: round(fnirAt(empiricalT)) },
    policy: { threshold: round(policy.threshold), predicted_fpir: round(policy.expectedFpir), measured_fpir: round(fpirAt(policy.threshold)), measured_fnir: round(fnirAt(policy.threshold)) },
  };
  index.close();
  return result;
}

const round = (x) => Math.round(x * 10000) / 10000;
const failures = all.filter((_, i) => !ok(i)).length;
console.log(JSON.stringify({ dataset: values.lfw, photos: all.length, people: people.length, no_face: failures, results: [evaluate(1, 'exact'), evaluate(1, 'scan'), evaluate(1, 'scan', 50), evaluate(2, 'exact')] }, null, 2));
