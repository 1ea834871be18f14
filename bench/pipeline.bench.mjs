// Time from the client's finish to COMPLETED for LIVENESS + FAMILIAR_FACE_SEARCH against a large pool.
// Usage: npm run bench:pipeline [-- --pool-size 100000 --sessions 50]
// The pool holds `pool-size` synthetic faces (bench/search-data.mjs: calibrated against real embeddings) plus one
// real enrolled person; probes are real photos, half of that person, half of strangers, each sent as the page sends a
// STATIC capture: a burst answering a challenge (the stand-in made from the photo, photo-bursts.ts).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { createEmbeddingCodec } from '../dist/infra/crypto/embedding-codec.js';
import { openDatabase } from '../dist/infra/db/database.js';
import { migrate } from '../dist/infra/db/migrator.js';
import { photoBurst } from '../dist/tools/liveness-eval/photo-bursts.js';
import { benchDataDir, createApp, startServer } from './lib/server.mjs';
import { clientFetch, completedSession, percentile, signedFetch } from './lib/signed.mjs';
import { createFaceGenerator } from './search-data.mjs';

const { values } = parseArgs({
  options: { 'pool-size': { type: 'string', default: '100000' }, sessions: { type: 'string', default: '50' } },
});
const poolSize = Number(values['pool-size']);
const sessions = Number(values.sessions);
const dataRoot = process.env.OPENIDV_TEST_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const lfw = join(dataRoot, 'lfw-dev', 'images');

const dataDir = benchDataDir();
const app = await createApp(dataDir, 'bench');
// Bulk-load the pool straight into the database before the server starts (enrolling 100k real photos would
// take the face engine the best part of an hour on this machine).
const loadStarted = Date.now();
const database = openDatabase(`sqlite:${join(dataDir, 'openidv.db')}`);
await migrate(database);
await database.close();
const sqlite = new Database(join(dataDir, 'openidv.db'));
const poolId = randomUUID();
const codec = createEmbeddingCodec();
const gallery = new Float32Array(poolSize * 512);
createFaceGenerator({ seed: 7 }).gallery(poolSize, gallery);
const now = Date.now();
sqlite
  .prepare('INSERT INTO pools (id, app_id, label, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
  .run(poolId, app.sdkId, 'BENCH', '{}', now, now);
const insertApplicant = sqlite.prepare(
  'INSERT INTO applicants (id, app_id, created_at, updated_at) VALUES (?, ?, ?, ?)',
);
const insertFace = sqlite.prepare(
  'INSERT INTO faces (id, applicant_id, app_id, model_set_id, embedding, quality, image_key, content_type, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const insertMember = sqlite.prepare('INSERT INTO pool_members (pool_id, applicant_id, added_at) VALUES (?, ?, ?)');
sqlite.transaction(() => {
  for (let i = 0; i < poolSize; i++) {
    const applicant = randomUUID();
    insertApplicant.run(applicant, app.sdkId, now, now);
    const embedding = codec.encode(gallery.subarray(i * 512, (i + 1) * 512));
    insertFace.run(
      randomUUID(),
      applicant,
      app.sdkId,
      'synthetic',
      embedding,
      '{}',
      'none',
      'image/jpeg',
      '{"type":"IMAGE"}',
      now,
    );
    insertMember.run(poolId, applicant, now);
  }
})();
sqlite.close();
process.stderr.write(
  `pool of ${poolSize} synthetic faces loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s\n`,
);

const server = await startServer({ dataDir, env: { OPENIDV_JOB_POLL_MS: '50' } });
try {
  const api = server.apiUrl;
  const people = readdirSync(lfw)
    .sort()
    .filter((n) => readdirSync(join(lfw, n)).length >= 2)
    .slice(21, 21 + 40);
  const photo = (name, i) => join(lfw, name, readdirSync(join(lfw, name)).sort()[i]);
  const enrolled = people[0];
  const applicant = await signedFetch(api, app, 'POST', '/applicants', {
    face: { data: readFileSync(photo(enrolled, 0)).toString('base64') },
  });
  await signedFetch(api, app, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicant.body.id });

  // Every capture must be new bytes: the server refuses a frame seen in another session before it analyses the
  // burst, so a probe photo sent twice (the enrolled person has few photos) would time that shortcut, not the
  // pipeline. Each capture trims a different few pixels off the photo's top-left before the burst is made.
  let captures = 0;
  async function freshPhoto(path) {
    const k = captures++;
    const image = sharp(readFileSync(path));
    const { width, height } = await image.metadata();
    const left = k % 16;
    const top = Math.floor(k / 16) % 16;
    return image
      .extract({ left, top, width: width - left, height: height - top })
      .jpeg({ quality: 95 })
      .toBuffer();
  }

  async function runOne(selfie) {
    const spec = {
      requested_checks: [
        { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } },
        { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: poolId, approval_criteria: 'NO_MATCH' } },
      ],
    };
    const created = (await signedFetch(api, app, 'POST', '/sessions', spec)).body;
    const call = (method, path, form) =>
      clientFetch(api, created.session_id, created.client_session_token, method, path, form);
    await call('POST', '/consent');
    const challenge = await call('POST', '/challenges');
    if (challenge.status !== 201) throw new Error(`challenge refused: ${JSON.stringify(challenge.body)}`);
    const burst = await photoBurst(await freshPhoto(selfie));
    // The server refuses a burst that answers its challenge sooner than the burst lasts; the margin absorbs timer
    // slack, as the page's own capture time does.
    await sleep(Math.max(burst.stillOffsetMs, ...burst.frameOffsetsMs) + 100);
    const form = new FormData();
    form.set('image', new Blob([burst.image], { type: 'image/jpeg' }), 'image.jpg');
    for (const f of burst.frames) form.append('frames', new Blob([f], { type: 'image/jpeg' }), 'frame.jpg');
    form.set('challenge_id', challenge.body.challenge_id);
    form.set('nonce', challenge.body.nonce);
    form.set('still_offset_ms', String(burst.stillOffsetMs));
    form.set('frame_offsets_ms', burst.frameOffsetsMs.join(','));
    const upload = await call('POST', '/liveness', form);
    // A refused capture would leave nothing for the pipeline to do, and the bench would time an empty finish.
    if (upload.status < 200 || upload.status >= 300) {
      throw new Error(`liveness upload refused (${upload.status}): ${JSON.stringify(upload.body)}`);
    }
    const t0 = performance.now();
    await call('POST', '/finish');
    const result = await completedSession(api, app, created.session_id);
    if (!result) throw new Error(`session ${created.session_id} did not complete`);
    const ms = performance.now() - t0;
    const ffs = result.checks.find((c) => c.type === 'FAMILIAR_FACE_SEARCH');
    const liveness = result.checks.find((c) => c.type === 'LIVENESS').report;
    const failed = liveness.breakdown
      .filter((b) => b.result !== 'PASS')
      .map((b) => `${b.sub_check}: ${b.details.find((d) => d.name === 'reason')?.value ?? b.result}`);
    return {
      ms,
      reason: ffs.report.recommendation.reason ?? 'APPROVE',
      liveness: [liveness.recommendation.value, ...failed].join('; '),
    };
  }

  const warm = await runOne(photo(enrolled, 1)); // loads the index and warms the models
  process.stderr.write(`warm-up: ${warm.ms.toFixed(0)} ms, LIVENESS ${warm.liveness}\n`);
  const times = [];
  const outcomes = { matched: 0, strangersApproved: 0, wrong: 0 };
  const liveness = {};
  for (let i = 0; i < sessions; i++) {
    const mated = i % 2 === 0;
    const r = await runOne(
      mated ? photo(enrolled, 1 + ((i / 2) % 1)) : photo(people[1 + (i % (people.length - 1))], 0),
    );
    times.push(r.ms);
    liveness[r.liveness] = (liveness[r.liveness] ?? 0) + 1;
    if (mated && r.reason === 'MATCH_FOUND') outcomes.matched++;
    else if (!mated && r.reason === 'APPROVE') outcomes.strangersApproved++;
    else outcomes.wrong++;
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        scenario: 'finish → COMPLETED, LIVENESS (STATIC) + FAMILIAR_FACE_SEARCH (NO_MATCH)',
        pool_faces: poolSize + 1,
        sessions,
        p50_ms: Math.round(percentile(times, 50)),
        p95_ms: Math.round(percentile(times, 95)),
        max_ms: Math.round(times.at(-1)),
        outcomes,
        liveness,
        server_rss_mb: server.rss(),
      },
      null,
      2,
    ),
  );
} finally {
  await server.stop();
}
