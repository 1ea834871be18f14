// Memory cost of hostile image uploads: each kind of small file declaring a huge image (bench/lib/hostile-images.mjs)
// is sent 1, 4 and 8 at a time to every upload route of the built server, and the server's resident memory is
// read from /proc: peak growth during the attack (VmHWM, reset before each round) and growth left 3 s after.
// Document pages and the relying party's face capture are decoded by the pipeline, so those rounds also finish
// their sessions and wait for the checks. /healthz is polled throughout. Each kind and route gets a fresh server,
// so memory one round leaves behind does not hide the next round's.
// Usage: npm run bench:hostile [-- --parallel 1,4,8 --kinds JPEG,PNG --routes analyse,page --cli other/dist/cli/main.js]
import { randomUUID, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HOSTILE_KINDS, solidImage } from './lib/hostile-images.mjs';
import { startServer } from './lib/server.mjs';
import { clientFetch, signedFetch } from './lib/signed.mjs';

const { values } = parseArgs({
  options: {
    parallel: { type: 'string', default: '1,4,8' },
    kinds: { type: 'string', default: 'all' },
    routes: { type: 'string', default: 'all' },
    /** Another build to measure (the code before a change). */
    cli: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const ROUTES = ['analyse', 'liveness', 'face-capture', 'page', 'rp-face-capture'];
const routes = values.routes === 'all' ? ROUTES : values.routes.split(',');
const kinds = Object.keys(HOSTILE_KINDS).filter(
  (k) => values.kinds === 'all' || values.kinds.split(',').some((p) => k.includes(p)),
);
const parallel = values.parallel.split(',').map(Number);
const extraEnv = Object.fromEntries(values.env.map((e) => e.split('=')));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function form(image, fields = {}) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  f.set('image', new Blob([new Uint8Array(image)], { type: 'application/octet-stream' }), 'image');
  return f;
}

const spec = (route) => ({
  client_session_token_ttl: 3600,
  resources_ttl: 90000,
  requested_checks: [
    // FACE_COMPARISON is refused without LIVENESS.
    { type: 'FACE_COMPARISON', config: { manual_check: 'NEVER' } },
    { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 5 } },
    ...(route === 'page' ? [{ type: 'ID_DOCUMENT_AUTHENTICITY', config: {} }] : []),
  ],
  requested_tasks:
    route === 'page' ? [{ type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION', config: { manual_check: 'NEVER' } }] : [],
  sdk_config: { allowed_capture_methods: 'CAMERA_AND_UPLOAD' },
});

async function round(server, app, route, image, n) {
  const status = (field) =>
    Math.round(
      Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024,
    );

  async function signedMultipart(method, endpoint, bytes) {
    const boundary = `----bench${randomUUID()}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="binary-content"; filename="image"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const path = `${endpoint}?sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
    const digest = sign(
      'RSA-SHA256',
      Buffer.from(`${method}&${path}&${body.toString('base64')}`),
      app.privateKeyPem,
    ).toString('base64');
    const res = await fetch(`${server.apiUrl}${path}`, {
      method,
      headers: { 'x-yoti-auth-digest': digest, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** Opens a session ready for one upload on `route`; returns the call that sends the image. */
  async function prepare() {
    const created = (await signedFetch(server.apiUrl, app, 'POST', '/sessions', spec(route))).body;
    const id = created.session_id;
    const client = (method, path, body) =>
      clientFetch(server.apiUrl, id, created.client_session_token, method, path, body);
    const config = (await client('GET', '/configuration')).body;
    const requirement = (type) => config.requirements.find((r) => r.type === type);
    if (route === 'rp-face-capture') {
      const resource = (
        await signedFetch(server.apiUrl, app, 'POST', `/sessions/${id}/resources/face-capture`, {
          requirement_id: requirement('FACE_CAPTURE').id,
        })
      ).body;
      // The user finishes without a selfie, so the checks start and decode the relying party's image.
      return {
        id,
        pipeline: true,
        send: async (bytes) => {
          const put = await signedMultipart(
            'PUT',
            `/sessions/${id}/resources/face-capture/${resource.id}/image`,
            bytes,
          );
          await client('POST', '/finish');
          return put;
        },
      };
    }
    await client('POST', '/consent');
    if (route === 'page') {
      const res = await fetch(`${server.apiUrl}/client/sessions/${id}/documents`, {
        method: 'POST',
        headers: { 'x-client-session-token': created.client_session_token, 'content-type': 'application/json' },
        body: JSON.stringify({
          requirement_id: requirement('ID_DOCUMENT').id,
          document_type: 'PASSPORT',
          issuing_country: 'GBR',
        }),
      });
      const resourceId = (await res.json()).id;
      return {
        id,
        pipeline: true,
        send: async (bytes) => {
          const page = await client(
            'POST',
            `/documents/${resourceId}/pages`,
            form(bytes, { capture_method: 'UPLOAD' }),
          );
          await client('POST', `/documents/${resourceId}/complete`);
          await client('POST', '/finish');
          return page;
        },
      };
    }
    if (route === 'liveness') {
      return {
        id,
        send: async (bytes) =>
          client(
            'POST',
            '/liveness',
            form(bytes, { challenge_id: (await client('POST', '/challenges')).body.challenge_id }),
          ),
      };
    }
    return { id, send: (bytes) => client('POST', `/${route}`, form(bytes)) };
  }

  async function settled(ids) {
    const deadline = Date.now() + 300_000;
    for (const id of ids) {
      while (
        Date.now() < deadline &&
        (await signedFetch(server.apiUrl, app, 'GET', `/sessions/${id}`)).body.state !== 'COMPLETED'
      )
        await sleep(200);
    }
    return Date.now() < deadline;
  }

  const sessions = [];
  for (let i = 0; i < n; i++) sessions.push(await prepare());
  await sleep(1500);
  const base = status('VmRSS');
  writeFileSync(`/proc/${server.pid}/clear_refs`, '5'); // VmHWM := VmRSS
  let healthMax = 0;
  let attacking = true;
  const poll = (async () => {
    while (attacking) {
      const t = performance.now();
      await fetch(`${server.baseUrl}/healthz`).then((r) => r.text());
      healthMax = Math.max(healthMax, performance.now() - t);
      await sleep(50);
    }
  })();
  const t0 = performance.now();
  const answers = await Promise.all(
    sessions.map((s) => s.send(image).catch((err) => ({ status: 0, body: String(err) }))),
  );
  const complete = sessions[0].pipeline ? await settled(sessions.map((s) => s.id)) : true;
  const seconds = (performance.now() - t0) / 1000;
  attacking = false;
  await poll;
  const peak = status('VmHWM');
  await sleep(3000);
  const after = status('VmRSS');
  return {
    statuses: answers
      .map((a) => a.status)
      .sort()
      .join(','),
    base_mb: base,
    peak_growth_mb: peak - base,
    after_growth_mb: after - base,
    healthz_max_ms: Math.round(healthMax),
    seconds: Number(seconds.toFixed(1)),
    complete,
  };
}

const results = [];
for (const kind of kinds) {
  const image = await HOSTILE_KINDS[kind]();
  for (const route of routes) {
    const server = await startServer({
      env: { OPENIDV_FACE_THREADS: '2', OPENIDV_JOB_POLL_MS: '50', ...extraEnv },
      ...(values.cli ? { cli: resolve(values.cli) } : {}),
    });
    try {
      const app = await server.createApp('hostile bench');
      // Warm-up with an ordinary photo: the face engine and the document reader start on first use.
      await round(server, app, route, await solidImage(640, 480, 'jpeg'), 1);
      for (const n of parallel) {
        const row = { kind, route, parallel: n, ...(await round(server, app, route, image, n)) };
        results.push(row);
        console.error(JSON.stringify(row));
      }
    } finally {
      await server.stop();
    }
  }
}
console.log('| kind | route | parallel | statuses | peak growth | growth after 3 s | /healthz max | time |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.kind} | ${r.route} | ${r.parallel} | ${r.statuses} | ${r.peak_growth_mb} MB | ${r.after_growth_mb} MB | ${r.healthz_max_ms} ms | ${r.seconds} s${r.complete ? '' : ' (pipeline unfinished)'} |`,
  );
}
