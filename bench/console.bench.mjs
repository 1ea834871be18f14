// Operator console: server time of the session list and the session page at 100,000 sessions.
// Usage: npm run bench:console [-- --sessions 100000 --requests 300 --postgres]
// Builds the store in a temporary folder (or a temporary PostgreSQL database), signs in a console user, then
// times each request inside the server (Fastify's reply.elapsedTime, in the onResponse hook).
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../dist/config/config.js';
import { buildApp } from '../dist/http/app.js';
import { createContainer } from '../dist/runtime/container.js';
import { createLogger } from '../dist/runtime/logger.js';
import { benchDataDir } from './lib/server.mjs';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '300' },
    postgres: { type: 'boolean', default: false },
  },
});
const N = Number(values.sessions);
const REQUESTS = Number(values.requests);
const dir = benchDataDir();
const env = { OPENIDV_DATA_DIR: dir, OPENIDV_WORKERS: 'false' };
let dropPostgres = async () => undefined;
if (values.postgres) {
  const admin = process.env.OPENIDV_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `openidv_bench_${randomUUID().slice(0, 8)}`;
  const run = async (sql) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  dropPostgres = () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

const container = await createContainer(loadConfig(env), createLogger('silent'));
const db = container.database.db;
const [appA, appB] = [
  (await container.apps.create('bench A')).app.sdkId,
  (await container.apps.create('bench B')).app.sdkId,
];

// ---- data: N sessions over 30 days, 2 checks each, a selfie resource and media, 1% waiting for review ----
const t0 = Date.now();
const spec = JSON.stringify({
  client_session_token_ttl: 600,
  resources_ttl: 604800,
  requested_checks: [
    { type: 'LIVENESS', config: {} },
    { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: 'p', approval_criteria: 'NO_MATCH' } },
  ],
  requested_tasks: [],
  sdk_config: {},
  required_documents: [],
});
const report = (value) =>
  JSON.stringify({
    recommendation: { value },
    breakdown: [
      {
        sub_check: 'face_processing',
        result: value === 'APPROVE' ? 'PASS' : 'FAIL',
        process: 'AUTOMATED',
        details: [],
      },
    ],
  });
const start = Date.now() - 30 * 86400_000;
const BATCH = 500;
const sample = [];
for (let from = 0; from < N; from += BATCH) {
  const sessions = [];
  const checks = [];
  const resources = [];
  const media = [];
  const reviews = [];
  for (let i = from; i < Math.min(N, from + BATCH); i++) {
    const id = randomUUID();
    const at = start + Math.floor((i / N) * 30 * 86400_000);
    const appId = i % 10 === 0 ? appB : appA;
    const outcome = i % 20 === 0 ? 'REJECT' : i % 33 === 0 ? 'NOT_AVAILABLE' : 'APPROVE';
    sessions.push({
      id,
      app_id: appId,
      state: i % 50 === 0 ? 'ONGOING' : 'COMPLETED',
      spec,
      requirements: '[]',
      user_tracking_id: `user-${i}`,
      client_token: randomUUID(),
      token_expires_at: at + 600_000,
      resources_expire_at: at + 365 * 86400_000,
      biometric_consent_at: at,
      finished_at: at,
      completed_at: at + 1000,
      created_at: at,
      updated_at: at,
      outcome: i % 50 === 0 ? 'PENDING' : outcome,
    });
    const ffs = randomUUID();
    checks.push({
      id: randomUUID(),
      session_id: id,
      type: 'LIVENESS',
      state: 'DONE',
      config: '{}',
      report: report('APPROVE'),
      resources_used: '[]',
      generated_media: '[]',
      created_at: at,
      updated_at: at,
    });
    checks.push({
      id: ffs,
      session_id: id,
      type: 'FAMILIAR_FACE_SEARCH',
      state: i % 50 === 0 ? 'CREATED' : 'DONE',
      config: '{"pool_id":"p"}',
      report: i % 50 === 0 ? null : report(outcome),
      resources_used: '[]',
      generated_media: '[]',
      created_at: at + 1,
      updated_at: at,
    });
    const mediaId = randomUUID();
    resources.push({
      id: randomUUID(),
      session_id: id,
      type: 'LIVENESS',
      requirement_id: null,
      source: 'END_USER',
      data: JSON.stringify({ liveness_type: 'STATIC', image_media_id: mediaId }),
      created_at: at,
      updated_at: at,
    });
    media.push({
      id: mediaId,
      session_id: id,
      app_id: appId,
      type: 'IMAGE',
      content_type: 'image/jpeg',
      storage_key: `${appId}/${id}/${mediaId}`,
      size: 1000,
      sha256: 'ab'.repeat(32),
      created_at: at,
    });
    if (i % 100 === 7)
      reviews.push({
        id: randomUUID(),
        session_id: id,
        app_id: appId,
        check_id: ffs,
        check_type: 'FAMILIAR_FACE_SEARCH',
        reason: 'FFS_REVIEW_BAND',
        state: 'OPEN',
        first_decision: null,
        first_reason: null,
        first_by: null,
        first_at: null,
        decision: null,
        decision_reason: null,
        decided_by: null,
        decided_at: null,
        applied_at: null,
        created_at: at,
        updated_at: at,
      });
    if (i % 331 === 0) sample.push(id);
  }
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('sessions').values(sessions).execute();
    await trx.insertInto('checks').values(checks).execute();
    await trx.insertInto('resources').values(resources).execute();
    await trx.insertInto('media').values(media).execute();
    if (reviews.length) await trx.insertInto('review_items').values(reviews).execute();
  });
}
// PostgreSQL: fresh statistics, as autovacuum gathers them on a live database (SQLite keeps its defaults).
if (container.database.dialect === 'postgres') await sql`ANALYZE`.execute(db);
const loadSeconds = (Date.now() - t0) / 1000;

// ---- the console, signed in as an admin (every app) and as a reviewer of app A only ----
const app = await buildApp(container);
const times = new Map();
app.addHook('onResponse', async (request, reply) => {
  request.benchLabel && times.get(request.benchLabel).push(reply.elapsedTime);
});
app.addHook('onRequest', async (request) => {
  request.benchLabel = request.headers['x-bench'];
});
await container.console.users.create({ username: 'bench-admin', role: 'admin', password: 'bench password 123' });
await container.console.users.create({
  username: 'bench-reviewer',
  role: 'reviewer',
  password: 'bench password 123',
  appIds: [appA],
});

async function signIn(username) {
  const form = await app.inject({ method: 'GET', url: '/console/login' });
  const pending = form.cookies.find((c) => c.name === 'openidv_console_signin').value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)[1];
  const res = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `openidv_console_signin=${pending}` },
    payload: new URLSearchParams({ _csrf: csrf, username, password: 'bench password 123' }).toString(),
  });
  return `openidv_console=${res.cookies.find((c) => c.name === 'openidv_console').value}`;
}
const cookies = { admin: await signIn('bench-admin'), reviewer: await signIn('bench-reviewer') };

// A cursor deep in the list: the 50th page.
let deep = '/console/sessions';
for (let page = 0; page < 50; page++) {
  const res = await app.inject({ method: 'GET', url: deep, headers: { cookie: cookies.admin } });
  deep = /href="(\/console\/sessions\?[^"]*before=[^"]+)"/.exec(res.body)[1].replace(/&amp;/g, '&');
}

const cases = [
  ['list, first page (admin, all apps)', 'admin', () => '/console/sessions'],
  ['list, first page (reviewer, one app)', 'reviewer', () => '/console/sessions'],
  ['list, page 51 by cursor', 'admin', () => deep],
  ['list, outcome = rejected', 'admin', () => '/console/sessions?outcome=REJECT'],
  ['list, needs review', 'admin', () => '/console/sessions?review=yes'],
  ['list, state = ongoing', 'admin', () => '/console/sessions?state=ONGOING'],
  ['list, tracking id prefix', 'admin', (i) => `/console/sessions?tracking=user-${(i * 7919) % N}`],
  [
    'list, one day',
    'admin',
    () =>
      `/console/sessions?from=${new Date(start + 15 * 86400_000).toISOString().slice(0, 10)}&to=${new Date(start + 15 * 86400_000).toISOString().slice(0, 10)}`,
  ],
  ['session page', 'admin', (i) => `/console/sessions/${sample[i % sample.length]}`],
  ['review queue', 'admin', () => '/console/reviews'],
];
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rows = [];
for (const [label, who, url] of cases) {
  times.set(label, []);
  for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: url(i), headers: { cookie: cookies[who] } }); // warm up
  times.set(label, []);
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.inject({ method: 'GET', url: url(i), headers: { cookie: cookies[who], 'x-bench': label } });
    if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  const xs = times.get(label).sort((a, b) => a - b);
  rows.push({ label, p50: pct(xs, 50), p95: pct(xs, 95), max: xs.at(-1) });
}

console.log(
  `\nconsole bench: ${N.toLocaleString('en')} sessions on ${container.database.dialect} (loaded in ${loadSeconds.toFixed(0)} s), ${REQUESTS} requests per case, server time\n`,
);
console.log('| request | p50 ms | p95 ms | max ms |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`);
await app.close();
await container.close();
await dropPostgres();
rmSync(dir, { recursive: true, force: true });
