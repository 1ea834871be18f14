import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KyselyJobQueue } from '../../src/infra/queue/kysely-job.queue.js';
import { type JobHandler, JobRunner } from '../../src/runtime/job-runner.js';
import { createLogger } from '../../src/runtime/logger.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';

// Graceful shutdown and lease recovery of the job runner that `openidv worker` and `serve` run, against the real
// queue on SQLite and PostgreSQL, with handlers whose duration the test controls (real pipeline jobs take tens of
// milliseconds, too short to hold across a grace period). The process-level story (SIGKILL and SIGTERM of worker
// processes under load) is test/e2e/scale-out.e2e.test.ts.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger('silent');

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`job runner shutdown and leases on ${dialect.name}`, () => {
    let db: TestDatabase;
    let queue: KyselyJobQueue;
    const runners: JobRunner[] = [];

    beforeAll(async () => {
      db = await dialect.create();
      queue = new KyselyJobQueue(db.database.db, db.database.dialect, Date.now);
    });
    // A runner claims every due job whatever its name, so each test stops its runners before the next one starts.
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop(0)));
    });
    afterAll(async () => {
      await db?.drop();
    });

    const runner = (handlers: Record<string, JobHandler>, o: { leaseMs?: number; concurrency?: number } = {}) => {
      const r = new JobRunner(queue, handlers, {
        concurrency: o.concurrency ?? 4,
        leaseMs: o.leaseMs ?? 5000,
        pollMs: 20,
        logger,
      });
      runners.push(r);
      r.start();
      return r;
    };
    const rows = (name: string) =>
      db.database.db
        .selectFrom('jobs')
        .select(['id', 'state', 'attempts', 'lease_owner', 'lease_expires_at', 'last_error'])
        .where('name', '=', name)
        .execute();

    it('lets in-flight jobs finish within the grace period, and runs none twice', async () => {
      const runs = new Map<string, number>();
      let running = 0;
      const a = runner({
        finish: (async (_p, job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          running++;
          await sleep(300);
        }) as JobHandler,
      });
      for (let i = 0; i < 3; i++) await queue.enqueue({ name: 'finish', payload: i });
      await until('three jobs running', async () => running === 3);
      await a.stop(5_000);
      const after = await rows('finish');
      expect(after.map((j) => [j.state, j.attempts, j.lease_owner])).toEqual([
        ['done', 1, null],
        ['done', 1, null],
        ['done', 1, null],
      ]);
      expect([...runs.values()]).toEqual([1, 1, 1]);
    });

    it('returns jobs still running after the grace period to the queue, attempt not counted, and another worker runs them', async () => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      let started = 0;
      const a = runner({
        block: (async () => {
          started++;
          await gate;
        }) as JobHandler,
      });
      await queue.enqueue({ name: 'block', payload: 1 });
      await queue.enqueue({ name: 'block', payload: 2 });
      await until('both jobs running', async () => started === 2);
      await a.stop(200);
      const released = await rows('block');
      expect(released.map((j) => [j.state, j.attempts, j.lease_owner, j.lease_expires_at])).toEqual([
        ['queued', 0, null, null],
        ['queued', 0, null, null],
      ]);
      // The stopped worker's handlers end late: their completion must not mark the jobs done.
      open();
      await sleep(100);
      expect((await rows('block')).map((j) => j.state)).toEqual(['queued', 'queued']);
      const done: unknown[] = [];
      runner({ block: (async (p: unknown) => void done.push(p)) as JobHandler });
      await until('the second worker to finish them', async () =>
        (await rows('block')).every((j) => j.state === 'done'),
      );
      expect(done.sort()).toEqual([1, 2]);
      expect((await rows('block')).map((j) => j.attempts)).toEqual([1, 1]);
    });

    it("recovers a killed worker's jobs once their lease expires", async () => {
      await queue.enqueue({ name: 'orphan', payload: null });
      const [held] = await queue.claim('killed-worker', 10, 800);
      expect(held).toBeDefined();
      const ran: number[] = [];
      const startedAt = Date.now();
      runner({ orphan: (async () => void ran.push(Date.now() - startedAt)) as JobHandler }, { leaseMs: 800 });
      await until('the orphan to be run', async () => (await rows('orphan'))[0]!.state === 'done');
      expect(ran).toHaveLength(1);
      expect(ran[0]!).toBeGreaterThanOrEqual(700); // not before the lease ran out
      expect((await rows('orphan'))[0]).toMatchObject({ attempts: 2, lease_owner: null, last_error: null });
    });

    it('keeps the lease of a long job under the shortest lease setting, so no second worker starts it', async () => {
      const active = new Map<string, number>();
      let overlaps = 0;
      let runs = 0;
      const handler = (async (_p, job) => {
        runs++;
        active.set(job.id, (active.get(job.id) ?? 0) + 1);
        if (active.get(job.id)! > 1) overlaps++;
        await sleep(2_600);
        active.set(job.id, active.get(job.id)! - 1);
      }) as JobHandler;
      // OPENIDV_JOB_LEASE=1 (its minimum): two workers polling every 20 ms.
      runner({ long: handler }, { leaseMs: 1_000 });
      runner({ long: handler }, { leaseMs: 1_000 });
      await queue.enqueue({ name: 'long', payload: null });
      await until('the long job to finish', async () => (await rows('long'))[0]!.state === 'done', 15_000);
      await sleep(200);
      expect({ runs, overlaps }).toEqual({ runs: 1, overlaps: 0 });
    }, 20_000);

    it('marks dead, without running it, a job whose workers died on every attempt', async () => {
      await queue.enqueue({ name: 'poison', payload: null, maxAttempts: 2 });
      // Each attempt kills its worker (say, native code crashing on one image): the lease runs out every time.
      for (let i = 0; i < 2; i++) {
        expect(await queue.claim(`killed-${i}`, 10, 50)).toHaveLength(1);
        await sleep(80);
      }
      let ran = 0;
      runner({ poison: (async () => void ran++) as JobHandler });
      await until(
        'the poison job to settle',
        async () => (await rows('poison'))[0]!.state !== 'queued' && (await rows('poison'))[0]!.state !== 'running',
      );
      expect(ran).toBe(0);
      const [job] = await rows('poison');
      expect(job).toMatchObject({ state: 'dead', lease_owner: null });
      expect(job!.last_error).toMatch(/lease expired/);
    });
  });
}
