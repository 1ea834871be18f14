// Compares the synthetic face generator (bench/search-data.mjs) with real embeddings on the statistics it was
// calibrated on: genuine and impostor cosines, and usearch HNSW recall@1 against exact search at small ef (how
// hard a nearest-neighbour search is). Research script behind docs/face-index.md ("Synthetic data").
// Usage: node bench/experiments/generator-calibration.mjs [--spectrum lfw|power] [--lfw-cache /tmp/lfw-embeddings.bin
//        --lfw ../shared/data/lfw-dev] [--dump /tmp/synthetic.f32]
// Real layout (as calibrated): gallery = first photo of every lfw-dev person, probes = second photos.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { createFaceGenerator } from '../search-data.mjs';

const DIM = 512;
const { values: args } = parseArgs({
  options: {
    spectrum: { type: 'string', default: 'lfw' },
    'beta-min': { type: 'string' },
    'beta-range': { type: 'string' },
    'cluster-weight': { type: 'string' },
    'lfw-cache': { type: 'string' },
    lfw: { type: 'string' },
    dump: { type: 'string' },
  },
});

function unit(rows) {
  for (let i = 0; i < rows.length / DIM; i++) {
    let n = 0;
    for (let j = 0; j < DIM; j++) n += rows[i * DIM + j] ** 2;
    n = Math.sqrt(n);
    for (let j = 0; j < DIM; j++) rows[i * DIM + j] /= n;
  }
  return rows;
}

const dot = (a, i, b, k) => {
  let s = 0;
  for (let j = 0; j < DIM; j++) s += a[i * DIM + j] * b[k * DIM + j];
  return s;
};
const meanStd = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${m.toFixed(3)} ± ${Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length).toFixed(3)}`;
};

/** gallery (n rows), probes (m rows), mate[q] = gallery row of the probe's person. */
function report(name, gallery, probes, mate) {
  const n = gallery.length / DIM;
  const m = probes.length / DIM;
  const genuine = [];
  const impostor = [];
  for (let q = 0; q < m; q++) {
    genuine.push(dot(probes, q, gallery, mate[q]));
    for (let k = 0; k < 20; k++) {
      const g = (q * 7919 + k * 104729) % n;
      if (g !== mate[q]) impostor.push(dot(probes, q, gallery, g));
    }
  }
  const truth = usearch.exactSearch(gallery, probes, DIM, 1, 'ip');
  const recall = [2, 4, 8, 16].map((ef) => {
    const index = new usearch.Index({
      metric: 'ip',
      connectivity: 16,
      dimensions: DIM,
      expansion_add: 64,
      expansion_search: ef,
    });
    index.add(
      BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
      gallery,
    );
    let hit = 0;
    for (let q = 0; q < m; q++) {
      const r = index.search(probes.subarray(q * DIM, (q + 1) * DIM), 1);
      if (r.keys[0] === truth.get(q).keys[0]) hit++;
    }
    return (hit / m).toFixed(2);
  });
  console.log(
    `${name}: gallery ${n}, probes ${m}; genuine ${meanStd(genuine)}, impostor ${meanStd(impostor)}; HNSW recall@1 at ef 2/4/8/16: ${recall.join(' / ')}`,
  );
}

if (args['lfw-cache']) {
  const emb = unit(new Float32Array(readFileSync(args['lfw-cache']).buffer.slice(0)));
  const root = join(args.lfw ?? '../shared/data/lfw-dev', 'images');
  const counts = readdirSync(root)
    .sort()
    .map((p) => readdirSync(join(root, p)).length);
  const gallery = [];
  const probes = [];
  const mate = [];
  let start = 0;
  counts.forEach((c) => {
    if (c >= 2) {
      mate.push(gallery.length);
      probes.push(start + 1);
    }
    gallery.push(start);
    start += c;
  });
  const rows = (ids) => {
    const out = new Float32Array(ids.length * DIM);
    ids.forEach((id, i) => out.set(emb.subarray(id * DIM, (id + 1) * DIM), i * DIM));
    return out;
  };
  report('real lfw-dev', rows(gallery), rows(probes), mate);
}

const tuned = Object.fromEntries(
  [
    ['betaMin', 'beta-min'],
    ['betaRange', 'beta-range'],
    ['clusterWeight', 'cluster-weight'],
  ]
    .filter(([, a]) => args[a] !== undefined)
    .map(([k, a]) => [k, Number(args[a])]),
);
const gen = createFaceGenerator({ seed: 42, spectrum: args.spectrum, ...tuned });
const n = 2_086;
const gallery = new Float32Array(n * DIM);
gen.gallery(n, gallery);
const { vectors, mates } = gen.probes(n, 774, 0);
// probes of identity id: the gallery row enrolling it (identities below 90% of n are rows id)
report(`synthetic (${args.spectrum} ${JSON.stringify(tuned)})`, gallery, vectors, Array.from(mates));
if (args.dump) writeFileSync(args.dump, Buffer.from(gallery.buffer));
