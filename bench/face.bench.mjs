#!/usr/bin/env node
// Face engine benchmark (`npm run bench:face`): cold load, per-face latency on one worker, pool throughput on all
// cores, resident memory. Uses the built engine in dist/ and real photos from ../shared/data (never committed).
// Options: --images N (default 300), --runs N (throughput repetitions, default 3), --json FILE.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFaceEngine } from '../dist/infra/face/face-engine.factory.js';
import { defaultModelsDir } from '../dist/infra/face/model-set.js';
import { emptyTimings, FacePipeline } from '../dist/infra/face/pipeline/face-pipeline.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const dataDir = resolve(process.env.OPENIDV_TEST_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data'));
const lfw = join(dataDir, 'lfw-dev', 'images');
if (!existsSync(lfw)) {
  console.error(`bench:face needs the LFW photos at ${lfw} (set OPENIDV_TEST_DATA)`);
  process.exit(1);
}
const log = (s) => process.stderr.write(`[bench:face] ${s}\n`);
const ms = (v) => `${v.toFixed(1)} ms`;
const mb = (v) => `${(v / 2 ** 20).toFixed(0)} MB`;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);

// One photo per person, spread over the alphabet: 150×150 LFW news photos with one central face.
const people = readdirSync(lfw).sort();
const count = Math.min(Number(values.images), people.length);
const files = Array.from({ length: count }, (_, i) => {
  const person = people[Math.floor((i * people.length) / count)];
  return join(lfw, person, readdirSync(join(lfw, person)).sort()[0]);
});
const images = await Promise.all(files.map((f) => readFile(f)));
const big = await readFile(join(dataDir, 'faces-deepface', 'couple.jpg')); // 2280×1588, 2 faces
const load0 = loadavg()[0];
const rss0 = process.memoryUsage().rss;
log(`${count} LFW images; ${availableParallelism()} cores; load average ${load0.toFixed(2)} at start`);

// 1. Cold start: the four ONNX sessions in this thread, then a pool of one worker (thread start + sessions).
let t = performance.now();
const pipeline = await FacePipeline.load(defaultModelsDir());
const coldInProcess = performance.now() - t;
t = performance.now();
const single = await createFaceEngine({ threads: 1, maxQueue: 8 });
const coldPool1 = performance.now() - t;
const rssLoaded = process.memoryUsage().rss;

// 2. Per-face latency on one worker: the worker's own code path (FacePipeline.analyse) timed inside the thread
// that runs it, so the figure is inference cost, not queueing. 20 warm-up images first.
for (const img of images.slice(0, 20)) await pipeline.analyse(img);
const perImage = [];
// CPU time of this process per face as well: on a shared machine wall time includes waiting for a core, CPU
// time does not (it still suffers from shared caches and memory bandwidth).
const cpuPerImage = [];
const stages = emptyTimings();
let faces = 0;
for (const img of images) {
  const timings = emptyTimings();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const a = await pipeline.analyse(img, {}, timings);
  perImage.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuPerImage.push((used.user + used.system) / 1000);
  faces += a.faces.length;
  for (const k of Object.keys(stages)) stages[k] += timings[k];
}
const stageMeans = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v / images.length]));
const bigTimes = [];
for (let i = 0; i < 6; i++) {
  const start = performance.now();
  await pipeline.analyse(big);
  if (i > 0) bigTimes.push(performance.now() - start);
}
await pipeline.close();

// Round trip through a one-thread pool (adds message passing and the copy of the bytes).
const roundTrips = [];
for (const img of images.slice(0, 100)) {
  const start = performance.now();
  await single.analyse(img);
  roundTrips.push(performance.now() - start);
}
await single.close();

// 3. Throughput with one worker per core, queue kept full.
const threads = availableParallelism();
const pool = await createFaceEngine({ threads, maxQueue: 4 * threads });
for (const img of images.slice(0, 4 * threads)) await pool.analyse(img);
const runs = [];
let rssPeak = process.memoryUsage().rss;
for (let r = 0; r < Number(values.runs); r++) {
  let next = 0;
  let found = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 2 * threads }, async () => {
      while (next < images.length) {
        const a = await pool.analyse(images[next++]);
        found += a.faces.length;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  runs.push({ facesPerSecond: found / seconds, imagesPerSecond: images.length / seconds });
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  log(`throughput run ${r + 1}: ${(found / seconds).toFixed(1)} faces/s`);
}
await pool.close();
const load1 = loadavg()[0];

const report = {
  machine: { cores: availableParallelism(), loadAverageStart: load0, loadAverageEnd: load1, node: process.version },
  images: count,
  facesFound: faces,
  coldLoadMs: { inProcessSessions: coldInProcess, poolOfOneWorker: coldPool1 },
  oneWorker: {
    perImageMs: {
      p50: median(perImage),
      p95: quantile(perImage, 0.95),
      mean: perImage.reduce((s, v) => s + v, 0) / perImage.length,
    },
    cpuPerImageMs: { p50: median(cpuPerImage), p95: quantile(cpuPerImage, 0.95) },
    stagesMeanMs: stageMeans,
    poolRoundTripMs: { p50: median(roundTrips), p95: quantile(roundTrips, 0.95) },
    photo2280x1588Ms: median(bigTimes),
  },
  pool: {
    threads,
    facesPerSecond: median(runs.map((r) => r.facesPerSecond)),
    imagesPerSecond: median(runs.map((r) => r.imagesPerSecond)),
    runs: runs.map((r) => Number(r.facesPerSecond.toFixed(1))),
  },
  memory: { rssBeforeLoad: rss0, rssAfterLoad: rssLoaded, rssPeak },
};

const s = report.oneWorker;
console.log(
  `face engine benchmark (${count} LFW photos, ${faces} faces; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)} on ${threads} cores)`,
);
console.log(`cold load             sessions in process ${ms(coldInProcess)}; pool of one worker ${ms(coldPool1)}`);
console.log(
  `one worker, per image p50 ${ms(s.perImageMs.p50)}  p95 ${ms(s.perImageMs.p95)}  (decode+detect, then landmarks+align+embed+quality+liveness of each face)`,
);
console.log(
  `  CPU time per image  p50 ${ms(s.cpuPerImageMs.p50)}  p95 ${ms(s.cpuPerImageMs.p95)}  (this process; excludes waiting for a core)`,
);
console.log(
  `  stages (mean)       ${Object.entries(stageMeans)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ')}`,
);
console.log(`  pool round trip     p50 ${ms(s.poolRoundTripMs.p50)}  p95 ${ms(s.poolRoundTripMs.p95)}`);
console.log(`  2280×1588 photo     ${ms(s.photo2280x1588Ms)} (2 faces)`);
console.log(
  `pool, ${threads} workers      ${report.pool.facesPerSecond.toFixed(1)} faces/s, ${report.pool.imagesPerSecond.toFixed(1)} images/s (median of ${runs.length} runs: ${report.pool.runs.join(', ')} faces/s)`,
);
console.log(
  `resident memory       ${mb(rss0)} before, ${mb(rssLoaded)} with sessions + one worker, peak ${mb(rssPeak)}`,
);
if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
