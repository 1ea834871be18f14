import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/domain/ports/job-queue.port.js';
import { KyselyJobQueue } from '../../src/infra/queue/kysely-job.queue.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';

// One contract, every adapter: the same behaviour on SQLite and on the machine's PostgreSQL.
for (const dialect of DIALECTS) {
  const available = await dialect.available();
  describe.skipIf(!available)(`JobQueue on ${dialect.name}`, () => {
    let db: TestDatabase;
    let clock = 1_000_000;
    let queue: JobQueue;

    beforeAll(async () => {
      db = await dialect.create();
      queue = new KyselyJobQueue(db.database.db, db.database.dialect, () => clock);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('leases a due job to one worker only, then completes it', async () => {
      await queue.enqueue({ name: 'a', payload: { n: 1 } });
      const [first, second] = await Promise.all([queue.claim('w1', 10, 5000), queue.claim('w2', 10, 5000)]);
      const all = [...first, ...second];
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ name: 'a', payload: { n: 1 }, attempts: 1 });
      const owner = first.length ? 'w1' : 'w2';
      await queue.complete(all[0]!.id, owner);
      expect(await queue.claim('w3', 10, 5000)).toHaveLength(0);
      expect((await queue.stats()).done).toBe(1);
    });

    it('ignores a second enqueue with the same dedupe key', async () => {
      await queue.enqueue({ name: 'b', payload: 1, dedupeKey: 'once' });
      await queue.enqueue({ name: 'b', payload: 2, dedupeKey: 'once' });
      const jobs = await queue.claim('w', 10, 5000);
      expect(jobs.map((j) => j.payload)).toEqual([1]);
      await queue.complete(jobs[0]!.id, 'w');
    });

    it('does not run a job before its time, and retries a failed job at the given time', async () => {
      await queue.enqueue({ name: 'c', payload: null, runAt: clock + 1000 });
      expect(await queue.claim('w', 10, 5000)).toHaveLength(0);
      clock += 1000;
      const [job] = await queue.claim('w', 10, 5000);
      await queue.fail(job!.id, 'w', 'boom', clock + 500);
      expect(await queue.claim('w', 10, 5000)).toHaveLength(0);
      clock += 500;
      const [retry] = await queue.claim('w', 10, 5000);
      expect(retry!.attempts).toBe(2);
      await queue.fail(retry!.id, 'w', 'boom again', null);
      expect((await queue.stats()).dead).toBe(1);
    });

    it('recovers the job of a worker whose lease expired, and ignores that worker afterwards', async () => {
      await queue.enqueue({ name: 'd', payload: null });
      const [job] = await queue.claim('dead-worker', 10, 1000);
      clock += 999;
      expect(await queue.claim('w', 10, 1000)).toHaveLength(0);
      clock += 2;
      const [recovered] = await queue.claim('w', 10, 1000);
      expect(recovered!.id).toBe(job!.id);
      await queue.complete(job!.id, 'dead-worker');
      expect((await queue.stats()).running).toBe(1);
      await queue.complete(recovered!.id, 'w');
      expect((await queue.stats()).running).toBe(0);
    });

    it('extends a lease and releases a job without counting the attempt', async () => {
      await queue.enqueue({ name: 'e', payload: null });
      const [job] = await queue.claim('w', 10, 1000);
      clock += 900;
      await queue.extendLease(job!.id, 'w', 1000);
      clock += 900;
      expect(await queue.claim('other', 10, 1000)).toHaveLength(0);
      await queue.release(job!.id, 'w');
      const [again] = await queue.claim('other', 10, 1000);
      expect(again!.attempts).toBe(1);
      await queue.complete(again!.id, 'other');
    });

    it('spreads many jobs over concurrent claimers without duplicates', async () => {
      for (let i = 0; i < 40; i++) await queue.enqueue({ name: 'f', payload: i });
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => queue.claim(`w${i}`, 7, 5000)));
      const ids = claims.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
    });

    it('drops the jobs of an erased session', async () => {
      await queue.enqueue({ name: 'g', payload: null, sessionId: 's1' });
      await queue.enqueue({ name: 'g', payload: null, sessionId: 's2' });
      await queue.dropSession('s1');
      const jobs = await queue.claim('w', 10, 5000);
      expect(jobs.map((j) => j.sessionId)).toEqual(['s2']);
    });
  });
}
