import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientApi } from '../helpers/client-api.js';
import { hasData } from '../helpers/data.js';
import { postgresAvailable, postgresTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { type LfwPerson, lfwPeople } from '../helpers/lfw.js';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { type RunningWorker, startWorker } from '../helpers/worker.js';
import { familiarFaceSearch, idvClient, signedCall, yoti } from '../helpers/yoti.js';

// Scale-out on one machine: 2 API processes (`serve --no-workers`) and 2 worker processes (`worker`) on one
// PostgreSQL database and one S3 bucket. 50 sessions (LIVENESS + FAMILIAR_FACE_SEARCH) are created and captured
// across both APIs; one worker is killed with SIGKILL while it holds jobs (a replacement starts, as an orchestrator
// would start one), the other is stopped with SIGTERM while it holds jobs. Every session must complete with the
// right result and every job must end done, never dead. Meanwhile enrolments and deletions on API 1 are searched on
// API 2 at once (read-your-writes across processes).

const SESSIONS = 50;
const ENROLLED = 25; // sessions 0..24 probe an enrolled person's second photo, 25..49 a stranger
const IN_FLIGHT = 6; // concurrent end users
const BUCKET = 'openidv-scale-out';

const withData = hasData('lfw-dev', 'images');
const withPostgres = await postgresAvailable();
if (!withPostgres) console.warn('[skip] scale-out test needs PostgreSQL');

const b64 = (path: string) => readFileSync(path).toString('base64');

/** Resident memory of a process in MB, from /proc (Linux); 0 where unavailable. */
function rssMb(pid: number): number {
  if (!existsSync(`/proc/${pid}/status`)) return 0;
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 where unavailable. */
function cpuSeconds(pid: number): number {
  if (!existsSync(`/proc/${pid}/stat`)) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CheckJson {
  type: string;
  state: string;
  report: {
    recommendation: { value: string; reason?: string };
    breakdown: { sub_check: string; result: string; details: { name: string; value: string }[] }[];
  };
}

describe.skipIf(!withData || !withPostgres)('scale-out: 2 API and 2 worker processes on PostgreSQL + S3', () => {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => (timings[name] = Math.round((Date.now() - started) / 100) / 10);
  let db: TestDatabase;
  let s3: TestS3Server | null;
  let apis: RunningServer[] = [];
  const workers: RunningWorker[] = [];
  let app: TestApp;
  let poolId: string;
  const candidates = withData ? lfwPeople(SESSIONS + 40, 2, 100) : [];
  const enrolled: LfwPerson[] = [];
  const strangers: LfwPerson[] = [];
  const ryw: LfwPerson[] = [];
  const applicantOf = new Map<string, string>();
  let env: Record<string, string>;

  const jobsOf = async (pid: number) =>
    (
      await db.database.db
        .selectFrom('jobs')
        .select(['id', 'name'])
        .where('state', '=', 'running')
        .where('lease_owner', 'like', `%:${pid}:%`)
        .execute()
    ).map((j) => j.id);

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    if (!s3) throw new Error('s3rver did not start');
    // An empty database: the four processes start together and migrate it concurrently, as a deployment would.
    db = await postgresTestDatabase({ migrate: false });
    env = {
      DATABASE_URL: db.url,
      OPENIDV_MEDIA_STORE: 's3',
      OPENIDV_S3_BUCKET: BUCKET,
      OPENIDV_S3_ENDPOINT: s3.endpoint,
      OPENIDV_S3_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      // Four processes on two cores: one inference thread each, quick polls, a short lease so a killed worker's
      // jobs come back within seconds.
      OPENIDV_FACE_THREADS: '1',
      OPENIDV_JOB_POLL_MS: '50',
      OPENIDV_JOB_LEASE: '2',
      OPENIDV_WORKER_CONCURRENCY: '4',
    };
    const [api1, api2, w1, w2] = await Promise.all([
      startServer({ env, args: ['--no-workers'] }),
      startServer({ env, args: ['--no-workers'] }),
      startWorker({ env }),
      startWorker({ env }),
    ]);
    apis = [api1!, api2!];
    workers.push(w1!, w2!);
    mark('processes_started_s');
    app = await apis[0]!.createApp('scale-out');
    poolId = (await signedCall(apis[0]!.apiUrl, app, 'POST', '/pools', { label: 'SCALE OUT' })).body.id;
    // Some LFW photos show two faces or none: people with a photo the engine refuses or picks one face of are left
    // out (the test is about processes, not about the data). Which result a usable photo gets is never screened.
    const usable = async (photo: string) => {
      const res = await signedCall(apis[1]!.apiUrl, app, 'POST', `/pools/${poolId}/search`, {
        image: { data: b64(photo) },
      });
      return res.status === 200 && res.body.face_selection.other_face_count === 0;
    };
    for (const person of candidates) {
      if (enrolled.length === ENROLLED && strangers.length === SESSIONS - ENROLLED && ryw.length === 3) break;
      if (enrolled.length < ENROLLED) {
        if (!(await usable(person.photos[0]!)) || !(await usable(person.photos[1]!))) continue;
        const created = await signedCall(apis[0]!.apiUrl, app, 'POST', '/applicants', {
          face: { data: b64(person.photos[0]!) },
        });
        if (created.status === 422) continue;
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        applicantOf.set(person.name, created.body.id);
        expect(
          (
            await signedCall(apis[0]!.apiUrl, app, 'POST', `/pools/${poolId}/applicants`, {
              applicant_id: created.body.id,
            })
          ).status,
        ).toBe(204);
        enrolled.push(person);
      } else if (strangers.length < SESSIONS - ENROLLED) {
        if (await usable(person.photos[0]!)) strangers.push(person);
      } else if ((await usable(person.photos[0]!)) && (await usable(person.photos[1]!))) {
        ryw.push(person);
      }
    }
    expect([enrolled.length, strangers.length, ryw.length]).toEqual([ENROLLED, SESSIONS - ENROLLED, 3]);
    mark('enrolled_s');
  }, 150_000);

  afterAll(async () => {
    await Promise.all([...apis.map((a) => a.stop()), ...workers.map((w) => w.stop('SIGKILL'))]);
    await db?.drop();
    await s3?.stop();
    console.log(`[scale-out] timings (s since start): ${JSON.stringify(timings)}`);
  });

  /** One end user: a session created on one API through the SDK, consent + selfie + finish on either API. */
  async function runSession(i: number, person: LfwPerson): Promise<string> {
    const createOn = apis[i % 2]!;
    const captureOn = apis[Math.floor(i / 2) % 2]!;
    const spec = new yoti.SessionSpecificationBuilder()
      .withClientSessionTokenTtl(600)
      .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(2).build())
      .withRequestedCheck(familiarFaceSearch(poolId, 'NO_MATCH'))
      .build();
    const session = await idvClient(app, createOn.apiUrl).createSession(spec);
    const api = new ClientApi(captureOn.apiUrl, session.getSessionId(), session.getClientSessionToken());
    const finished = await api.selfieAndFinish(readFileSync(person.photos[i < ENROLLED ? 1 : 0]!));
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    return session.getSessionId();
  }

  it('completes 50 sessions across both APIs while one worker is killed and another stopped', async () => {
    // CPU used by the API and worker processes over the sessions phase (sampled, since a killed process's figures
    // vanish with it): the per-session cost that sizing guidance in docs/deployment.md quotes.
    const cpu = new Map<number, { role: 'api' | 'worker'; first: number; last: number }>();
    const sampleCpu = () => {
      for (const [role, pids] of [
        ['api', apis.map((a) => a.process.pid!)],
        ['worker', workers.map((w) => w.pid)],
      ] as const) {
        for (const pid of pids) {
          const now = cpuSeconds(pid);
          const seen = cpu.get(pid);
          if (!seen) cpu.set(pid, { role, first: now, last: now });
          else if (now > 0) seen.last = now;
        }
      }
    };
    sampleCpu();
    const sampler = setInterval(sampleCpu, 100);
    const ids: string[] = new Array(SESSIONS);
    let submitted = 0;
    let next = 0;
    const driver = Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < SESSIONS) {
          const i = next++;
          ids[i] = await runSession(i, i < ENROLLED ? enrolled[i]! : strangers[i - ENROLLED]!);
          submitted++;
        }
      }),
    );

    // SIGKILL worker 1 once it holds jobs, after a third of the sessions; start a replacement. The worker is frozen
    // (SIGSTOP) before its jobs are read, so none of them can finish between the reading and the kill.
    let killedJobs: string[] = [];
    for (;;) {
      while (submitted < SESSIONS / 3 || (await jobsOf(workers[0]!.pid)).length === 0) {
        if (submitted === SESSIONS) break;
        await sleep(2);
      }
      workers[0]!.process.kill('SIGSTOP');
      await sleep(200); // statements it sent before freezing reach the database first
      killedJobs = await jobsOf(workers[0]!.pid);
      if (killedJobs.length > 0 || submitted === SESSIONS) break;
      workers[0]!.process.kill('SIGCONT');
    }
    expect(killedJobs.length, 'worker 1 must hold jobs when it is killed').toBeGreaterThan(0);
    workers[0]!.process.kill('SIGKILL');
    await workers[0]!.exited;
    mark('worker1_killed_s');
    // The replacement starts meanwhile: loading its models takes longer than the rest of the sessions.
    const replacement = startWorker({ env });

    // SIGTERM worker 2 once it holds jobs, after two thirds: it must finish them or hand them back, and exit 0.
    // Jobs run for tens of milliseconds: watch closely.
    let stoppedJobs: string[] = [];
    for (;;) {
      if (submitted >= (2 * SESSIONS) / 3) {
        stoppedJobs = await jobsOf(workers[1]!.pid);
        if (stoppedJobs.length > 0) break;
      }
      if (submitted === SESSIONS) break;
      await sleep(2);
    }
    expect(stoppedJobs.length, 'worker 2 must hold jobs when it is stopped').toBeGreaterThan(0);
    const stopped = await workers[1]!.stop('SIGTERM');
    expect(stopped, workers[1]!.output()).toEqual({ code: 0, signal: null });
    expect(await jobsOf(workers[1]!.pid), 'no lease left behind by a stopped worker').toEqual([]);
    const afterStop = await db.database.db
      .selectFrom('jobs')
      .select(['id', 'state', 'lease_owner'])
      .where('id', 'in', stoppedJobs)
      .execute();
    for (const job of afterStop) expect(['done', 'queued']).toContain(job.state);
    mark('worker2_stopped_s');
    workers.push(await replacement);

    await driver;
    mark('all_submitted_s');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await db.database.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'in', ids)
        .where('state', '=', 'COMPLETED')
        .executeTakeFirstOrThrow();
      if (Number(row.n) === SESSIONS) break;
      if (Date.now() > deadline) {
        const open = await db.database.db
          .selectFrom('jobs')
          .select(['name', 'state', 'attempts', 'last_error', 'session_id'])
          .where('state', '!=', 'done')
          .execute();
        throw new Error(`${row.n}/${SESSIONS} sessions completed; jobs not done: ${JSON.stringify(open)}`);
      }
      await sleep(100);
    }
    mark('all_completed_s');
    sampleCpu();
    clearInterval(sampler);
    const used = (role: 'api' | 'worker') =>
      [...cpu.values()].filter((c) => c.role === role).reduce((a, c) => a + c.last - c.first, 0);
    console.log(
      `[scale-out] CPU over the sessions phase: API processes ${used('api').toFixed(1)} s, workers ${used('worker').toFixed(1)} s ` +
        `(${Math.round((used('api') * 1000) / SESSIONS)} + ${Math.round((used('worker') * 1000) / SESSIONS)} ms per session); ` +
        `RSS MB: API ${apis.map((a) => rssMb(a.process.pid!)).join(' / ')}, running worker ${workers
          .filter((w) => w.process.exitCode === null && w.process.signalCode === null)
          .map((w) => rssMb(w.pid))
          .join(' / ')}; ` +
        `load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${availableParallelism()} cores`,
    );

    // Results through the SDK and the raw JSON, read on alternating APIs.
    for (const [i, id] of ids.entries()) {
      const on = apis[(i + 1) % 2]!;
      expect((await idvClient(app, on.apiUrl).getSession(id)).getState()).toBe('COMPLETED');
      const raw = await signedCall(on.apiUrl, app, 'GET', `/sessions/${id}`);
      const checks = raw.body.checks as CheckJson[];
      const liveness = checks.find((c) => c.type === 'LIVENESS')!;
      const ffs = checks.find((c) => c.type === 'FAMILIAR_FACE_SEARCH')!;
      expect(liveness.state).toBe('DONE');
      expect(ffs.state).toBe('DONE');
      if (i < ENROLLED) {
        expect(ffs.report.recommendation, `session ${i}: ${enrolled[i]!.name} is enrolled`).toEqual({
          value: 'REJECT',
          reason: 'MATCH_FOUND',
        });
        const details = Object.fromEntries(ffs.report.breakdown[0]!.details.map((d) => [d.name, d.value]));
        expect(details.matching_applicant).toBe(applicantOf.get(enrolled[i]!.name));
      } else {
        expect(ffs.report.recommendation, `session ${i}: ${strangers[i - ENROLLED]!.name} is a stranger`).toEqual({
          value: 'APPROVE',
        });
      }
    }

    // No job lost, none dead, none failed; the killed worker's jobs ran again once their lease expired.
    const jobs = await db.database.db
      .selectFrom('jobs')
      .select(['id', 'name', 'state', 'attempts', 'last_error', 'lease_owner'])
      .execute();
    expect(
      jobs.filter((j) => j.state !== 'done'),
      'every job done',
    ).toEqual([]);
    expect(
      jobs.filter((j) => j.last_error !== null),
      'no job failed',
    ).toEqual([]);
    const recovered = jobs.filter((j) => killedJobs.includes(j.id));
    expect(recovered).toHaveLength(killedJobs.length);
    for (const job of recovered) expect(job.attempts).toBeGreaterThanOrEqual(2);
    const sessionJobs = jobs.filter((j) => j.name !== 'webhook.deliver');
    console.log(
      `[scale-out] ${SESSIONS} sessions, ${sessionJobs.length} jobs; killed worker held ${killedJobs.length} (recovered), ` +
        `stopped worker held ${stoppedJobs.length} (${afterStop.filter((j) => j.state === 'done').length} finished in grace, ` +
        `${afterStop.filter((j) => j.state === 'queued').length} returned)`,
    );

    // Media went to S3 and nowhere else: the session images are objects of the bucket.
    const media = await db.database.db
      .selectFrom('media')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(media.n)).toBeGreaterThanOrEqual(SESSIONS);
  }, 170_000);

  it('reflects an enrolment or a deletion returned on API 1 in a search that starts right after on API 2', async () => {
    const [api1, api2] = apis as [RunningServer, RunningServer];
    const search = async (person: LfwPerson) => {
      const res = await signedCall(api2.apiUrl, app, 'POST', `/pools/${poolId}/search`, {
        image: { data: b64(person.photos[1]!) },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.candidates as { applicant_id: string; match: boolean }[];
    };
    // Make API 2's index current first, so each search below depends on the change log alone.
    await search(ryw[0]!);
    for (const person of ryw) {
      const created = await signedCall(api1.apiUrl, app, 'POST', '/applicants', {
        face: { data: b64(person.photos[0]!) },
      });
      expect(created.status).toBe(201);
      const applicantId = created.body.id as string;
      expect(
        (await signedCall(api1.apiUrl, app, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicantId }))
          .status,
      ).toBe(204);
      expect((await search(person))[0], `${person.name} enrolled on API 1`).toMatchObject({
        applicant_id: applicantId,
        match: true,
      });

      // Deleting the only face, then (re-adding one) the applicant: each must vanish from API 2 at once.
      const faceId = (await signedCall(api1.apiUrl, app, 'GET', `/applicants/${applicantId}`)).body.faces
        .archetype_face as string;
      expect((await signedCall(api1.apiUrl, app, 'DELETE', `/applicants/${applicantId}/faces/${faceId}`)).status).toBe(
        204,
      );
      expect(
        (await search(person)).map((c) => c.applicant_id),
        `${person.name}'s face deleted on API 1`,
      ).not.toContain(applicantId);
      const readded = await signedCall(api1.apiUrl, app, 'POST', `/applicants/${applicantId}/faces`, {
        face: { data: b64(person.photos[0]!) },
      });
      expect(readded.status).toBe(201);
      expect((await search(person))[0], `${person.name}'s face added again on API 1`).toMatchObject({
        applicant_id: applicantId,
        match: true,
      });
      expect((await signedCall(api1.apiUrl, app, 'DELETE', `/applicants/${applicantId}`)).status).toBe(204);
      expect(
        (await search(person)).map((c) => c.applicant_id),
        `${person.name} deleted on API 1`,
      ).not.toContain(applicantId);
    }
    mark('read_your_writes_s');
  }, 60_000);
});
