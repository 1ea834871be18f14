// Scale-out load: 2 API processes (`serve --no-workers`) on one PostgreSQL database, many concurrent clients for a
// bounded time per scenario: signed session reads, signed session creations (LIVENESS + FAMILIAR_FACE_SEARCH), and a
// mix. Reports throughput, latency percentiles, errors, resident memory of each API process at start and end, and
// where the CPU went (API processes, PostgreSQL, the load generator, everything else on the machine).
// Usage: npm run bench:load [-- --connections 200 --duration 30 --runs 3 --scenarios reads,creates,mixed]
import { randomUUID, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startServer } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const yoti = require('yoti');
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    runs: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: 'reads,creates,mixed' },
    // Distinct pre-signed requests per kind: signing costs the client ~1 ms each, so they are prepared before the
    // clock starts and then cycled (nonces repeat after a full cycle, so the nonce guard is turned off for this bench).
    signatures: { type: 'string', default: '6000' },
    postgres: {
      type: 'string',
      default: process.env.OPENIDV_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    json: { type: 'boolean', default: false },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const runs = Number(values.runs);
const log = (m) => process.stderr.write(`${m}\n`);

// ---- CPU accounting from /proc (Linux): seconds of CPU used by a process, by all PostgreSQL processes, by the box.
const TICK = 100; // USER_HZ
const procCpu = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
  } catch {
    return 0;
  }
};
const postgresCpu = () => {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += procCpu(entry);
    } catch {
      /* exited */
    }
  }
  return total;
};
const machineCpu = () => {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICK, total: total / TICK };
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// ---- A database of its own, dropped at the end.
const dbName = `openidv_bench_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: values.postgres });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(values.postgres);
dbUrl.pathname = `/${dbName}`;

const env = {
  DATABASE_URL: dbUrl.toString(),
  OPENIDV_FACE_THREADS: '1', // the API processes start a face engine; one inference thread each keeps it small
  OPENIDV_RATE_LIMIT: '0',
  // Pre-signed requests are cycled, so the replay guard (on by default) is off here; bench:api --nonce-guard
  // measures its cost.
  OPENIDV_NONCE_GUARD: 'false',
};
const servers = [];
try {
  // The first process migrates the empty database; the second starts on the migrated schema.
  servers.push(await startServer({ env, args: ['--no-workers'] }));
  servers.push(await startServer({ env, args: ['--no-workers'] }));
  const app = await servers[0].createApp('load');
  const base = (s) => s.apiUrl;
  const client = new yoti.IDVClient(app.sdkId, app.privateKeyPem, { apiUrl: base(servers[0]) });

  // A pool for the FAMILIAR_FACE_SEARCH check (creation validates that it belongs to the app).
  const poolEndpoint = `/pools?sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
  const poolBody = Buffer.from(JSON.stringify({ label: 'LOAD' }));
  const poolRes = await fetch(`${base(servers[0])}${poolEndpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-yoti-auth-digest': signed('POST', poolEndpoint, poolBody) },
    body: poolBody,
  });
  const poolId = (await poolRes.json()).id;
  const spec = new yoti.SessionSpecificationBuilder()
    .withClientSessionTokenTtl(600)
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(1).build())
    .withSdkConfig(new yoti.SdkConfigBuilder().withAllowsCamera().build())
    .build();
  const specJson = JSON.parse(JSON.stringify(spec));
  specJson.requested_checks.push({
    type: 'FAMILIAR_FACE_SEARCH',
    config: { pool_id: poolId, approval_criteria: 'NO_MATCH' },
  });
  const createBody = Buffer.from(JSON.stringify(specJson));
  const readSessionId = (await client.createSession(spec)).getSessionId();

  function signed(method, endpoint, body) {
    const message = body ? `${method}&${endpoint}&${body.toString('base64')}` : `${method}&${endpoint}`;
    return sign('RSA-SHA256', Buffer.from(message), app.privateKeyPem).toString('base64');
  }
  const query = () => `sdkId=${app.sdkId}&nonce=${randomUUID()}&timestamp=${Date.now()}`;
  const n = Number(values.signatures);
  log(`pre-signing ${n} reads and ${n} creations…`);
  const reads = Array.from({ length: n }, () => {
    const endpoint = `/sessions/${readSessionId}?${query()}`;
    return {
      method: 'GET',
      path: `/idverify/v1${endpoint}`,
      headers: { 'x-yoti-auth-digest': signed('GET', endpoint), accept: 'application/json' },
    };
  });
  const creates = Array.from({ length: n }, () => {
    const endpoint = `/sessions?${query()}`;
    return {
      method: 'POST',
      path: `/idverify/v1${endpoint}`,
      body: createBody,
      headers: {
        'x-yoti-auth-digest': signed('POST', endpoint, createBody),
        'content-type': 'application/json',
        accept: 'application/json',
      },
    };
  });
  // Sanity: one of each answers 2xx before anything is measured.
  for (const r of [reads[0], creates[0]]) {
    const res = await fetch(`${servers[1].baseUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
    if (res.status >= 300) throw new Error(`${r.method} answered ${res.status}: ${await res.text()}`);
  }

  const scenarios = {
    reads: () => reads,
    creates: () => creates,
    mixed: () => Array.from({ length: n }, (_, i) => (i % 5 === 4 ? creates[i] : reads[i])), // 80 % reads, 20 % creations
  };
  const rssStart = servers.map((s) => s.rss());
  const results = [];
  for (const name of values.scenarios.split(',')) {
    const pool = scenarios[name]();
    let next = 0;
    const requests = [{ setupRequest: (req) => ({ ...req, ...pool[next++ % pool.length] }) }];
    const cannon = (seconds) =>
      autocannon({
        url: servers.map((s) => s.baseUrl),
        connections,
        duration: seconds,
        requests,
        pipelining: 1,
        timeout: 10,
      });
    await cannon(3); // warm-up: connections, JIT, PostgreSQL caches
    for (let run = 1; run <= runs; run++) {
      const cpu0 = { api: servers.map((s) => procCpu(s.pid)), pg: postgresCpu(), gen: selfCpu(), box: machineCpu() };
      const load0 = loadavg()[0];
      const r = await cannon(duration);
      const cpu1 = { api: servers.map((s) => procCpu(s.pid)), pg: postgresCpu(), gen: selfCpu(), box: machineCpu() };
      const secs = duration;
      const cores = (a, b) => Math.round(((b - a) / secs) * 100) / 100;
      const api = cpu1.api.map((c, i) => cores(cpu0.api[i], c));
      const pgCores = cores(cpu0.pg, cpu1.pg);
      const gen = cores(cpu0.gen, cpu1.gen);
      const busy = cores(cpu0.box.busy, cpu1.box.busy);
      const result = {
        scenario: name,
        run,
        connections,
        duration_s: duration,
        requests: r.requests.total,
        requests_per_s: Math.round(r.requests.average),
        latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        non_2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        rss_mb: servers.map((s) => s.rss()),
        cpu_cores: {
          api: api,
          postgres: pgCores,
          load_generator: gen,
          other: Math.max(0, Math.round((busy - api[0] - api[1] - pgCores - gen) * 100) / 100),
          machine_busy: busy,
          machine_total: cpus().length,
        },
        // Throughput per CPU-second actually given to each tier: comparable across runs on a shared machine.
        requests_per_cpu_s: {
          api: Math.round(r.requests.total / Math.max(0.01, (api[0] + api[1]) * secs)),
          postgres: Math.round(r.requests.total / Math.max(0.01, pgCores * secs)),
        },
        load_average_at_start: Math.round(load0 * 10) / 10,
      };
      results.push(result);
      log(
        `${name} #${run}: ${result.requests_per_s} req/s, p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms, ` +
          `non-2xx ${result.non_2xx}, errors ${result.errors}, timeouts ${result.timeouts}; CPU cores api ${api.join('+')}, pg ${pgCores}, ` +
          `generator ${gen}, other ${result.cpu_cores.other} (machine busy ${busy}/${cpus().length}); ` +
          `${result.requests_per_cpu_s.api} req per API CPU-s, ${result.requests_per_cpu_s.postgres} per PostgreSQL CPU-s; RSS ${result.rss_mb.join(' / ')} MB`,
      );
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const summary = {
    setup: {
      api_processes: 2,
      workers: 'none (serve --no-workers)',
      database: 'PostgreSQL (local)',
      connections,
      duration_s: duration,
      runs,
    },
    rss_mb_at_start: rssStart,
    rss_mb_at_end: servers.map((s) => s.rss()),
    medians: Object.fromEntries(
      values.scenarios.split(',').map((name) => {
        const rs = results.filter((r) => r.scenario === name);
        return [
          name,
          {
            requests_per_s: median(rs.map((r) => r.requests_per_s)),
            p50_ms: median(rs.map((r) => r.latency_ms.p50)),
            p99_ms: median(rs.map((r) => r.latency_ms.p99)),
            errors: rs.reduce((a, r) => a + r.non_2xx + r.errors + r.timeouts, 0),
            requests_per_api_cpu_s: median(rs.map((r) => r.requests_per_cpu_s.api)),
            requests_per_postgres_cpu_s: median(rs.map((r) => r.requests_per_cpu_s.postgres)),
            api_cores: median(rs.map((r) => r.cpu_cores.api[0] + r.cpu_cores.api[1])),
            other_cores: median(rs.map((r) => r.cpu_cores.other)),
          },
        ];
      }),
    ),
    runs: results,
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
