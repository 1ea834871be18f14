// npm run bench:search [-- --sizes 10000,100000,1000000] [--queries 2000] [--truth 1000] [--exact-max 100000]
//                       [--rerank 1000,2000] [--shortlist 8000,16000] [--threads 2] [--crossover 2000,5000,10000,20000,50000]
//                       [--spectrum lfw|power] [--json out.json]
//
// One pool of synthetic 512-d face embeddings (bench/search-data.mjs states the generator) per size, loaded
// the way the server loads at start-up (addMany in chunks of 10 000). For each size it reports: build time,
// resident memory per face (RSS delta / n) and index bytes per face (the index's own estimate), p50/p99 latency
// of top-1 and top-10 searches over --queries probes (half mated, half strangers), and recall@1 / recall@10
// against exact float32 search on --truth probes, for the scan index at each --rerank (one build each) and, for
// pools up to --exact-max, exact search. --crossover measures exact against scan latency at small sizes, which
// is how the promotion limit was chosen.
//
// Run with --expose-gc for steadier memory figures (npm run bench:search does not; the script copes).
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import usearch from 'usearch';
import { InMemoryFaceIndex } from '../dist/infra/face-index/in-memory-face.index.js';
import { DEFAULT_FACE_INDEX_OPTIONS } from '../dist/config/face-index-options.js';
import { ScanThreads } from '../dist/infra/face-index/scan/scan-threads.js';
import { loadDefaultFaceCalibration, thresholdForFpir } from '../dist/infra/face/calibration/face-calibration.js';
import { createFaceGenerator } from './search-data.mjs';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    queries: { type: 'string', default: '2000' },
    truth: { type: 'string', default: '1000' },
    'exact-max': { type: 'string', default: '100000' },
    crossover: { type: 'string', default: '' },
    // One or more re-rank counts for the scan index (default: the index default), one build each.
    rerank: { type: 'string' },
    // Scan first-pass candidates (default: the index default); all values are measured on one build.
    shortlist: { type: 'string' },
    threads: { type: 'string' },
    // The generator's spectrum: 'lfw' (measured on real embeddings, the default) or 'power' (figures before 2026-11-26).
    spectrum: { type: 'string', default: 'lfw' },
    json: { type: 'string' },
  },
});

const DIM = 512;
const CHUNK = 10_000;
const sizes = args.sizes
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const queryCount = Number(args.queries);
const truthCount = Number(args.truth);
const exactMax = Number(args['exact-max']);
const rerankList = args.rerank ? args.rerank.split(',').map(Number) : [DEFAULT_FACE_INDEX_OPTIONS.rerank];
const shortlistList = args.shortlist ? args.shortlist.split(',').map(Number) : [DEFAULT_FACE_INDEX_OPTIONS.shortlist];
const searchThreads = args.threads ? Number(args.threads) : DEFAULT_FACE_INDEX_OPTIONS.searchThreads;
const gen = createFaceGenerator({ dim: DIM, seed: 42, spectrum: args.spectrum });
const calibration = loadDefaultFaceCalibration();
const gc = globalThis.gc ?? (() => {});
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function rssSettled() {
  gc();
  gc();
  return process.memoryUsage().rss;
}

function makeGallery(n) {
  const gallery = new Float32Array(n * DIM);
  const t = performance.now();
  for (let start = 0; start < n; start += 50_000) {
    gen.gallery(n, gallery, start, Math.min(50_000, n - start));
    if (n >= 200_000) log(`  generated ${Math.min(n, start + 50_000)}/${n} faces`);
  }
  return { gallery, seconds: (performance.now() - t) / 1000 };
}

/** Exact top-10 over the float32 vectors for the first `count` probes, all threads: the recall reference. */
function groundTruth(gallery, n, probes, count) {
  const keys = new Int32Array(count * 10);
  const sims = new Float32Array(count * 10);
  // exactSearch keeps a distance matrix of n x batch; bound it to ~200 MB.
  const batch = Math.max(1, Math.min(64, Math.floor(2e8 / (16 * n))));
  const t = performance.now();
  for (let q = 0; q < count; q += batch) {
    const m = Math.min(batch, count - q);
    const queries = probes.slice(q * DIM, (q + m) * DIM); // own buffer: exactSearch ignores byteOffset
    const r = usearch.exactSearch(gallery, queries, DIM, 10, 'ip', availableParallelism());
    for (let i = 0; i < m; i++) {
      const one = m === 1 ? r : r.get(i);
      for (let j = 0; j < 10; j++) {
        keys[(q + i) * 10 + j] = Number(one.keys[j]) + 1; // gallery row i has key i + 1
        sims[(q + i) * 10 + j] = 1 - one.distances[j];
      }
    }
    if (n >= 200_000 && ((q / batch) | 0) % 20 === 0) log(`  ground truth ${q + m}/${count}`);
  }
  return { keys, sims, seconds: (performance.now() - t) / 1000 };
}

function dot(gallery, key, probe, q) {
  let s = 0;
  const o = (key - 1) * DIM;
  const p = q * DIM;
  for (let j = 0; j < DIM; j++) s += gallery[o + j] * probe[p + j];
  return s;
}

async function measure(label, n, options, gallery, probes, mates, truth) {
  const rss0 = rssSettled();
  const index = new InMemoryFaceIndex({ dimensions: DIM, promotion: 'sync', searchThreads, ...options });
  const keys = new Float64Array(CHUNK);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    for (let i = 0; i < m; i++) keys[i] = start + i + 1;
    index.addMany('bench', keys.subarray(0, m), gallery.subarray(start * DIM, (start + m) * DIM));
    if (n >= 200_000 && (start / CHUNK) % 10 === 9) {
      const done = start + m;
      const rate = done / ((performance.now() - t0) / 1000);
      const cpuS = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
      log(
        `  ${label}: built ${done}/${n} (${rate.toFixed(0)}/s, ${cpuS.toFixed(0)} CPU-s, ETA ${((n - done) / rate).toFixed(0)} s)`,
      );
    }
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  const buildCpu = process.cpuUsage(cpu0);
  // CPU-seconds are what a rebuild costs on idle cores (wall time here depends on other people's jobs).
  const buildCpuSeconds = (buildCpu.user + buildCpu.system) / 1e6;
  const stats = index.stats('bench');
  const rss1 = rssSettled();
  const build = { buildSeconds, buildCpuSeconds, stats, rssDelta: rss1 - rss0 };
  // Helper threads start in the background; time searches once they are up.
  const rows = [];
  if (stats.kind === 'scan') {
    await ScanThreads.get(searchThreads).started();
    // The shortlist only steers searches, so one build serves every value (set on the pool's scan index).
    const pool = index.states.get('bench').live;
    for (const shortlist of shortlistList) {
      pool.shortlist = Math.max(shortlist, options.rerank);
      rows.push(evaluate(label, n, index, build, { rerank: options.rerank, shortlist }, gallery, probes, mates, truth));
    }
  } else {
    rows.push(evaluate(label, n, index, build, null, gallery, probes, mates, truth));
  }
  index.close();
  return rows;
}

function evaluate(
  label,
  n,
  index,
  { buildSeconds, buildCpuSeconds, stats, rssDelta },
  scan,
  gallery,
  probes,
  mates,
  truth,
) {
  const probe = new Float32Array(DIM);
  const lat = { 1: [], 10: [] };
  // CPU time of the process per query (all its threads): what a search costs the machine.
  const cpu = { 1: [], 10: [] };
  const results = [];
  // Warm-up so the first timings do not include lazy initialisation.
  for (let q = 0; q < Math.min(50, queryCount); q++) index.search('bench', probes.subarray(q * DIM, (q + 1) * DIM), 10);
  for (let q = 0; q < queryCount; q++) {
    probe.set(probes.subarray(q * DIM, (q + 1) * DIM));
    let c = process.cpuUsage();
    let t = performance.now();
    index.search('bench', probe, 1);
    lat[1].push(performance.now() - t);
    c = process.cpuUsage(c);
    cpu[1].push((c.user + c.system) / 1000);
    c = process.cpuUsage();
    t = performance.now();
    const hits = index.search('bench', probe, 10);
    lat[10].push(performance.now() - t);
    c = process.cpuUsage(c);
    cpu[10].push((c.user + c.system) / 1000);
    if (q < truth.count) results.push(hits);
  }
  for (const a of [lat[1], lat[10], cpu[1], cpu[10]]) a.sort((x, y) => x - y);

  const recall = { mated: { r1: 0, r10: 0, n: 0, found: 0 }, stranger: { r1: 0, r10: 0, n: 0 } };
  const errors = [];
  // What FAMILIAR_FACE_SEARCH decides on: whether a candidate reaches the pool's threshold (the policy's, at FPIR
  // 1% for this size). Among probes whose exact best face reaches it, how often does the index return one too?
  const threshold = thresholdForFpir(calibration, 0.01, n);
  const decision = { above: 0, kept: 0 };
  for (let q = 0; q < results.length; q++) {
    const group = mates[q] >= 0 ? recall.mated : recall.stranger;
    const hits = results[q];
    const exactTop = truth.keys.subarray(q * 10, q * 10 + 10);
    group.n++;
    if (hits[0]?.key === exactTop[0]) group.r1++;
    const exactSet = new Set(exactTop);
    group.r10 += hits.filter((h) => exactSet.has(h.key)).length / 10;
    if (mates[q] >= 0 && hits[0] && gen.galleryIdentity(hits[0].key - 1, n) === mates[q]) group.found++;
    for (const h of hits) errors.push(Math.abs(h.similarity - dot(gallery, h.key, probes, q)));
    if (dot(gallery, exactTop[0], probes, q) >= threshold) {
      decision.above++;
      if ((hits[0]?.similarity ?? -1) >= threshold) decision.kept++;
    }
  }
  errors.sort((a, b) => a - b);
  const total = recall.mated.n + recall.stranger.n;
  const row = {
    label,
    n,
    kind: stats.kind,
    rerank: scan?.rerank ?? null,
    shortlist: scan?.shortlist ?? null,
    threads: stats.kind === 'scan' ? searchThreads : 1,
    buildSeconds: +buildSeconds.toFixed(2),
    buildPerSecond: Math.round(n / buildSeconds),
    buildCpuSeconds: +buildCpuSeconds.toFixed(1),
    rssBytesPerFace: Math.round(rssDelta / n),
    indexBytesPerFace: Math.round(stats.bytes / n),
    top1: { p50: +percentile(lat[1], 0.5).toFixed(3), p99: +percentile(lat[1], 0.99).toFixed(3) },
    top10: { p50: +percentile(lat[10], 0.5).toFixed(3), p99: +percentile(lat[10], 0.99).toFixed(3) },
    cpuTop1: { p50: +percentile(cpu[1], 0.5).toFixed(3), p99: +percentile(cpu[1], 0.99).toFixed(3) },
    cpuTop10: { p50: +percentile(cpu[10], 0.5).toFixed(3), p99: +percentile(cpu[10], 0.99).toFixed(3) },
    recallAt1: +((recall.mated.r1 + recall.stranger.r1) / total).toFixed(4),
    recallAt10: +((recall.mated.r10 + recall.stranger.r10) / total).toFixed(4),
    mated: {
      recallAt1: +(recall.mated.r1 / recall.mated.n).toFixed(4),
      recallAt10: +(recall.mated.r10 / recall.mated.n).toFixed(4),
      mateAtRank1: +(recall.mated.found / recall.mated.n).toFixed(4),
    },
    stranger: {
      recallAt1: +(recall.stranger.r1 / recall.stranger.n).toFixed(4),
      recallAt10: +(recall.stranger.r10 / recall.stranger.n).toFixed(4),
    },
    similarityError: {
      mean: +(errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(5),
      p99: +percentile(errors, 0.99).toFixed(5),
      max: +errors[errors.length - 1].toFixed(5),
    },
    // Probes whose exact best face passes the policy threshold, and the share of them the index also passes.
    decision: {
      threshold: +threshold.toFixed(4),
      probesAbove: decision.above,
      keptByIndex: decision.above ? +(decision.kept / decision.above).toFixed(4) : null,
    },
    queries: queryCount,
    truthQueries: results.length,
    loadAverage: loadavg().map((x) => +x.toFixed(2)),
  };
  return row;
}

async function crossover(sizesText) {
  const rows = [];
  const points = sizesText
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const largest = Math.max(...points);
  const { gallery } = makeGallery(largest);
  const { vectors: probes } = gen.probes(largest, 200, 200);
  for (const n of points) {
    const timings = {};
    for (const [kind, exactLimit] of [
      ['exact', Number.MAX_SAFE_INTEGER],
      ['scan', 0],
    ]) {
      const index = new InMemoryFaceIndex({
        dimensions: DIM,
        promotion: 'sync',
        exactLimit,
        searchThreads,
        rerank: rerankList[0],
      });
      const keys = Float64Array.from({ length: n }, (_, i) => i + 1);
      const t = performance.now();
      index.addMany('x', keys, gallery.subarray(0, n * DIM));
      const build = (performance.now() - t) / 1000;
      await ScanThreads.get(searchThreads).started();
      const lat = [];
      const cpu = [];
      for (let q = 0; q < 400; q++) {
        const c = process.cpuUsage();
        const s = performance.now();
        index.search('x', probes.subarray(q * DIM, (q + 1) * DIM), 10);
        lat.push(performance.now() - s);
        const u = process.cpuUsage(c);
        cpu.push((u.user + u.system) / 1000);
      }
      lat.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      timings[kind] = {
        buildSeconds: +build.toFixed(2),
        p50: +percentile(lat, 0.5).toFixed(3),
        p99: +percentile(lat, 0.99).toFixed(3),
        cpuP50: +percentile(cpu, 0.5).toFixed(3),
      };
      index.close();
    }
    rows.push({ n, ...timings });
    log(
      `crossover n=${n}: exact p50 ${timings.exact.p50} ms (CPU ${timings.exact.cpuP50}), scan p50 ${timings.scan.p50} ms (CPU ${timings.scan.cpuP50}, build ${timings.scan.buildSeconds} s)`,
    );
  }
  return rows;
}

const report = {
  machine: {
    cpus: availableParallelism(),
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
  },
  options: { ...DEFAULT_FACE_INDEX_OPTIONS, searchThreads, rerank: rerankList, shortlist: shortlistList },
  generator: { seed: 42, spectrum: args.spectrum },
  runs: [],
  crossover: [],
};

if (args.crossover) report.crossover = await crossover(args.crossover);

for (const n of sizes) {
  log(`n=${n}: generating gallery and ${queryCount} probes`);
  const { gallery, seconds } = makeGallery(n);
  const { vectors: probes, mates } = gen.probes(n, Math.ceil(queryCount / 2), Math.floor(queryCount / 2));
  // Interleave mated and stranger probes so any truth subset holds both.
  const order = Array.from({ length: queryCount }, (_, i) =>
    i % 2 === 0 ? i / 2 : Math.ceil(queryCount / 2) + (i - 1) / 2,
  );
  const mixed = new Float32Array(queryCount * DIM);
  const mixedMates = new Int32Array(queryCount);
  order.forEach((from, to) => {
    mixed.set(probes.subarray(from * DIM, (from + 1) * DIM), to * DIM);
    mixedMates[to] = mates[from];
  });
  const count = Math.min(truthCount, queryCount);
  log(`n=${n}: generated in ${seconds.toFixed(1)} s; exact ground truth for ${count} probes`);
  const truth = { ...groundTruth(gallery, n, mixed, count), count };
  log(`n=${n}: ground truth in ${truth.seconds.toFixed(1)} s`);

  const runs = [];
  if (n <= exactMax) runs.push(['exact', { exactLimit: Number.MAX_SAFE_INTEGER }]);
  for (const rerank of rerankList) runs.push(['scan', { exactLimit: 0, rerank }]);
  for (const [label, options] of runs) {
    log(`n=${n}: building ${label}`);
    for (const row of await measure(label, n, options, gallery, mixed, mixedMates, truth)) {
      row.generateSeconds = +seconds.toFixed(1);
      row.truthSeconds = +truth.seconds.toFixed(1);
      report.runs.push(row);
      log(`n=${n} ${label} rerank=${row.rerank} shortlist=${row.shortlist}: ${JSON.stringify(row)}`);
    }
  }
}

console.log(
  '\n| faces | index | shortlist | re-rank | build (CPU-s) | build rate | RSS/face | index bytes/face | top-1 p50 / p99 | top-10 p50 / p99 | top-10 CPU p50 / p99 | recall@1 | recall@10 | mated r@1 / strangers r@1 | mate at rank 1 | decision kept | sim. error mean / max |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of report.runs) {
  console.log(
    `| ${r.n.toLocaleString('en')} | ${r.kind} | ${r.shortlist ?? '-'} | ${r.rerank ?? '-'} | ${r.buildSeconds} s (${r.buildCpuSeconds}) | ${r.buildPerSecond}/s | ${r.rssBytesPerFace} B | ${r.indexBytesPerFace} B | ${r.top1.p50} / ${r.top1.p99} ms | ${r.top10.p50} / ${r.top10.p99} ms | ${r.cpuTop10.p50} / ${r.cpuTop10.p99} ms | ${r.recallAt1} | ${r.recallAt10} | ${r.mated.recallAt1} / ${r.stranger.recallAt1} | ${r.mated.mateAtRank1} | ${r.decision.keptByIndex ?? '-'} (${r.decision.probesAbove}) | ${r.similarityError.mean} / ${r.similarityError.max} |`,
  );
}
if (report.crossover.length) {
  console.log('\n| faces | exact top-10 p50 / p99 (CPU p50) | scan top-10 p50 / p99 (CPU p50) | scan build |');
  console.log('|---|---|---|---|');
  for (const c of report.crossover) {
    console.log(
      `| ${c.n} | ${c.exact.p50} / ${c.exact.p99} ms (${c.exact.cpuP50}) | ${c.scan.p50} / ${c.scan.p99} ms (${c.scan.cpuP50}) | ${c.scan.buildSeconds} s |`,
    );
  }
}
console.log(
  `\nload average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on ${availableParallelism()} CPUs (shared machine)`,
);
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
