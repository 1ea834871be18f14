// ZOOM liveness through the served path: the built server as a process, attempts streamed over HTTP in real time by
// subjects rendered from held-out LFW photos (src/tools/liveness-eval/served-attempt.ts says what each stands for).
// Reports per class the outcome of each attempt, the client-measured round trip of a frame and of the frame that
// ends the attempt (analysis + the decision + storage), and the time to complete a challenge.
// Usage: npm run bench:zoom [-- --attempts 20 --classes head,card,still --seed 31]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFaceEngine } from '../dist/infra/face/face-engine.factory.js';
import { loadSubjects } from '../dist/tools/liveness-eval/liveness-evaluation.js';
import {
  headStandIn,
  photoMovedAsPlane,
  stillPhoto,
  streamAttempt,
} from '../dist/tools/liveness-eval/served-attempt.js';
import { seededRng } from '../dist/tools/liveness-eval/triangle-raster.js';
import { benchDataDir, createApp, startServer } from './lib/server.mjs';
import { clientFetch, completedSession, percentile, signedFetch } from './lib/signed.mjs';

const { values } = parseArgs({
  options: {
    attempts: { type: 'string', default: '20' },
    classes: { type: 'string', default: 'head,card,still' },
    seed: { type: 'string', default: '31' },
  },
});
const attempts = Number(values.attempts);
const classes = values.classes.split(',');
const seed = Number(values.seed);
const dataRoot = process.env.OPENIDV_TEST_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const SOURCES = { head: headStandIn, card: photoMovedAsPlane, still: stillPhoto };

const engine = await createFaceEngine({ inProcess: true });
const subjects = await loadSubjects(engine, dataRoot, 'held-out', 200);
await engine.close();
const dataDir = benchDataDir();
const app = await createApp(dataDir, 'bench-zoom');
const server = await startServer({ dataDir, env: { OPENIDV_JOB_POLL_MS: '50' } });
const api = server.apiUrl;

/** A client for one session: the two routes an attempt uses, as the page calls them. */
async function session() {
  const spec = { requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'ZOOM', max_retries: 1 } }] };
  const created = (await signedFetch(api, app, 'POST', '/sessions', spec)).body;
  const call = (method, path, form) =>
    clientFetch(api, created.session_id, created.client_session_token, method, path, form);
  await call('POST', '/consent');
  return {
    id: created.session_id,
    finish: () => call('POST', '/finish'),
    challenge: () => call('POST', '/challenges'),
    zoomFrame(challengeId, nonce, image) {
      const form = new FormData();
      form.set('image', new Blob([image], { type: 'image/jpeg' }), 'frame.jpg');
      form.set('nonce', nonce);
      return call('POST', `/challenges/${challengeId}/frames`, form);
    },
  };
}

/** Why a stand-in was not passed: the page only hears NOT_CONFIRMED, the relying party's report names the test. */
async function whyNotPassed(s) {
  await s.finish();
  const result = await completedSession(api, app, s.id, 20, 10_000);
  if (!result) return 'session not completed';
  const auth = result.checks
    .find((c) => c.type === 'LIVENESS')
    .report.breakdown.find((b) => b.sub_check === 'liveness_auth');
  return auth.details.find((d) => d.name === 'reason')?.value ?? auth.result;
}

const q = (values, p) =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        p,
      ).toFixed(0)
    : '-';
try {
  await streamAttempt(await session(), headStandIn(subjects[0], seededRng(seed))); // warms the models
  console.log(`${subjects.length} held-out subjects; ${attempts} attempts per class; seed ${seed}`);
  console.log(
    'class  attempts  PASSED  outcomes                      frame p50/p95 ms  last frame p50/p95 ms  complete p50/max s',
  );
  for (const cls of classes) {
    const outcomes = {};
    const frames = [];
    const last = [];
    const complete = [];
    for (let i = 0; i < attempts; i++) {
      const rng = seededRng(seed * 1000 + i + cls.length * 7919);
      const subject = subjects[(i + cls.length) % subjects.length];
      const s = await session();
      const r = await streamAttempt(s, SOURCES[cls](subject, rng));
      if (cls === 'head' && r.body.state !== 'PASSED')
        console.log(`  head attempt ${i} (${subject.id}) not passed: ${await whyNotPassed(s)}`);
      const key = r.status === 200 ? `${r.body.state}${r.body.reason ? `:${r.body.reason}` : ''}` : `HTTP ${r.status}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      frames.push(...r.roundTripMs.slice(0, -1));
      if (r.roundTripMs.length) last.push(r.roundTripMs.at(-1));
      if (r.body.state === 'PASSED') complete.push(r.elapsedMs);
    }
    const passed = outcomes.PASSED ?? 0;
    const text = Object.entries(outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const maxS = complete.length ? (Math.max(...complete) / 1000).toFixed(1) : '-';
    const p50S = complete.length ? (Number(q(complete, 50)) / 1000).toFixed(1) : '-';
    console.log(
      `${cls.padEnd(6)} ${String(attempts).padStart(8)}  ${String(passed).padStart(6)}  ${text.padEnd(29)} ${`${q(frames, 50)}/${q(frames, 95)}`.padStart(16)}  ${`${q(last, 50)}/${q(last, 95)}`.padStart(21)}  ${`${p50S}/${maxS}`.padStart(18)}`,
    );
  }
} finally {
  await server.stop?.();
  process.exit(0);
}
