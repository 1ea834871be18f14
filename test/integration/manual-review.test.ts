import { readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_JOB } from '../../src/domain/notifications/notifier.js';
import { ReviewService } from '../../src/domain/review/review.service.js';
import { createConsoleRepositories } from '../../src/infra/db/repositories/console/index.js';
import { runMaintenance } from '../../src/runtime/maintenance.js';
import { BURST_OFFSETS, photoBurst } from '../../src/tools/liveness-eval/photo-bursts.js';
import { hasData } from '../helpers/data.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { lfwPeople } from '../helpers/lfw.js';
import { lookAlike } from '../helpers/look-alike.js';

// Manual review wired into the session lifecycle, on real SQLite and PostgreSQL, the real face models and real
// photos: a familiar face search whose best candidate (a different person) falls in the pool's review band, and a
// liveness check with manual_check ALWAYS both wait for a person; the session reads ONGOING meanwhile; one decision
// is applied by its job, the other, recorded by a process that died before its listener ran, by the maintenance
// pass; then the session completes once, with EXPERT_REVIEW in both reports.

const people = hasData('lfw-dev', 'images') ? lfwPeople(1, 2, 20) : [];

/** Runs every due job of the pipeline and the lifecycle; webhook deliveries are completed unsent (no endpoint). */
async function drain(h: InProcess) {
  const c = h.container;
  const handlers: Record<string, (payload: never) => Promise<void>> = {
    ...c.pipeline.handlers(),
    ...c.lifecycle.handlers(),
  };
  for (let round = 0; round < 50; round++) {
    const jobs = await c.queue.claim('test', 20, 60_000);
    if (!jobs.length) return;
    for (const job of jobs) {
      if (job.name !== WEBHOOK_JOB) await handlers[job.name]!(job.payload as never);
      await c.queue.complete(job.id, 'test');
    }
  }
  throw new Error('jobs kept coming');
}

describe.skipIf(!people.length).each(DIALECTS)('manual review in the session lifecycle on $name', (dialect) => {
  let t: TestDatabase | undefined;
  let h: InProcess;
  let available = false;

  beforeAll(async () => {
    available = await dialect.available();
    if (!available) return;
    if (dialect.name === 'postgres') t = await dialect.create();
    h = await inProcessApp(t ? { DATABASE_URL: t.url } : {});
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('holds the session in review, applies both decisions (one after a crash) and completes it once', async ({
    skip,
  }) => {
    if (!available) skip();
    const c = h.container;
    const [enrolled] = people as [(typeof people)[0]];

    // A pool of one person, and a real photo of someone else whose best candidate falls in the pool's default band.
    const pool = await c.pools.createPool(h.sdkId, 'BLOCKLIST');
    const applicant = await c.pools.createApplicant(h.sdkId, { bytes: readFileSync(enrolled.photos[0]!) });
    await c.pools.addMember(h.sdkId, pool.id, applicant.applicant.id);
    const { band } = await c.console.poolAdmin.overview(await c.pools.requirePool(h.sdkId, pool.id));
    const search = async (photo: string) =>
      (await c.pools.searchImage(h.sdkId, pool.id, readFileSync(photo).toString('base64'))).candidates[0]!.similarity;
    const probe = readFileSync((await lookAlike(enrolled, band, search)).photo);

    const spec = {
      requested_checks: [
        { type: 'LIVENESS', config: { liveness_type: 'STATIC', manual_check: 'ALWAYS' } },
        {
          type: 'FAMILIAR_FACE_SEARCH',
          config: { pool_id: pool.id, approval_criteria: 'NO_MATCH', manual_check: 'FALLBACK' },
        },
      ],
      notifications: { endpoint: 'https://hooks.example.com/idv' },
    };
    const created = await h.signed('POST', '/sessions', JSON.stringify(spec));
    expect(created.statusCode, created.body).toBe(201);
    const id: string = created.json().session_id;
    let session = (await c.repos.sessions.getById(id))!;
    await c.capture.consent(session);
    session = (await c.repos.sessions.getById(id))!;
    const burst = await photoBurst(probe);
    const { challenge_id, nonce } = await c.capture.challenge(session);
    await setTimeout(BURST_OFFSETS.at(-1)! + 100); // a burst cannot answer its challenge sooner than it lasts
    await c.capture.uploadLiveness(session, {
      image: { data: burst.image },
      frames: burst.frames.map((data) => ({ data })),
      stillOffsetMs: burst.stillOffsetMs,
      frameOffsetsMs: burst.frameOffsetsMs,
      challengeId: challenge_id,
      nonce,
    });
    await c.capture.finish(session);
    await drain(h);

    expect((await c.repos.sessions.getById(id))!.state).toBe('AWAITING_REVIEW');
    const waiting = (await h.signed('GET', `/sessions/${id}`)).json();
    expect(waiting.state).toBe('ONGOING');
    expect(waiting.checks.map((x: { state: string; report?: unknown }) => [x.state, x.report])).toEqual([
      ['CREATED', undefined],
      ['CREATED', undefined],
    ]);
    const items = await c.console.reviews.forSession(id);
    expect(items.map((i) => [i.checkType, i.reason, i.state]).sort()).toEqual([
      ['FAMILIAR_FACE_SEARCH', 'FFS_REVIEW_BAND', 'OPEN'],
      ['LIVENESS', 'ALWAYS', 'OPEN'],
    ]);
    const ffsItem = items.find((i) => i.checkType === 'FAMILIAR_FACE_SEARCH')!;
    const livenessItem = items.find((i) => i.checkType === 'LIVENESS')!;

    // The FFS decision goes through the running service: its listener enqueues the job that applies it.
    await c.console.reviews.decide(ffsItem.id, 'rita', 'REJECT', 'the same person as the enrolled applicant');
    await drain(h);
    expect((await c.repos.sessions.getById(id))!.state, 'the liveness check still waits').toBe('AWAITING_REVIEW');

    // The liveness decision is recorded by a process that dies before its listener runs: no job, only the row.
    const dying = new ReviewService({
      reviews: createConsoleRepositories(c.database.db, c.database.dialect).reviews,
      policy: { fourEyesReject: false },
      now: Date.now,
      newId: () => 'unused',
    });
    await dying.decide(livenessItem.id, 'sam', 'APPROVE', '');
    await drain(h);
    expect((await c.console.reviews.listUnapplied()).map((i) => i.id)).toEqual([livenessItem.id]);
    await runMaintenance(c);
    await drain(h);

    expect(await c.console.reviews.listUnapplied()).toEqual([]);
    const done = (await h.signed('GET', `/sessions/${id}`)).json();
    expect(done.state).toBe('COMPLETED');
    const byType = (type: string) => done.checks.find((x: { type: string }) => x.type === type);
    const [liveness, ffs] = [byType('LIVENESS'), byType('FAMILIAR_FACE_SEARCH')];
    expect(ffs.report.recommendation).toEqual({ value: 'REJECT', reason: 'MATCH_FOUND' });
    expect(ffs.report.breakdown[0]).toMatchObject({
      sub_check: 'face_not_found_in_pool',
      result: 'FAIL',
      process: 'EXPERT_REVIEW',
    });
    expect(ffs.report.breakdown[0].details).toContainEqual({
      name: 'review_reason',
      value: 'the same person as the enrolled applicant',
    });
    expect(ffs.config).toMatchObject({ manual_check: 'FALLBACK', pool_label: 'BLOCKLIST' });
    expect(liveness.report.recommendation).toEqual({ value: 'APPROVE' });
    expect(liveness.report.breakdown.find((b: { sub_check: string }) => b.sub_check === 'liveness_auth')).toMatchObject(
      { result: 'PASS', process: 'EXPERT_REVIEW' },
    );
    const topics = (await c.repos.webhooks.list(id)).map((w) => w.topic);
    expect(topics.filter((x) => x === 'CHECK_COMPLETION')).toHaveLength(2);
    expect(topics.filter((x) => x === 'SESSION_COMPLETION')).toHaveLength(1);
    const outcome = await c.database.db
      .selectFrom('sessions')
      .select('outcome')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(outcome?.outcome).toBe('REJECT');
  });
});
