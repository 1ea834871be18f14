import { describe, expect, it } from 'vitest';
import { JOBS } from '../../src/domain/pipeline/pipeline-jobs.js';
import { canMove, SESSION_MOVES } from '../../src/domain/sessions/lifecycle/session-states.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import type { BreakdownItem, Report, ResourceRecord, SessionRecord } from '../../src/domain/sessions/session.types.js';
import { sessionWorld } from '../fakes/session-world.js';

const LIVENESS_ONLY = {
  requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }],
  notifications: { endpoint: 'https://hooks.example/idv' },
};
const signature: BreakdownItem = {
  sub_check: 'payload_signature_verification',
  result: 'PASS',
  process: 'AUTOMATED',
  details: [],
};
const report: Report = {
  recommendation: { value: 'REJECT' },
  breakdown: [
    {
      sub_check: 'liveness_auth',
      result: 'FAIL',
      process: 'AUTOMATED',
      details: [{ name: 'confidence_score', value: '0.45' }],
    },
    signature,
  ],
};

async function created(w: ReturnType<typeof sessionWorld>) {
  const session = await w.lifecycle.create('app-1', w.spec(LIVENESS_ONLY));
  return { session, check: (await w.store.work.listChecks(session.id))[0]! };
}

/** The selfie the LIVENESS requirement asks for. */
async function captureSelfie(w: ReturnType<typeof sessionWorld>, session: SessionRecord) {
  const resource: ResourceRecord = {
    id: w.newId(),
    sessionId: session.id,
    type: 'LIVENESS',
    requirementId: session.requirements[0]!.id,
    source: 'END_USER',
    data: { image_media_id: 'm-1' },
    createdAt: w.now(),
    updatedAt: w.now(),
  };
  await w.store.resources.create(resource);
}

const stateOf = async (w: ReturnType<typeof sessionWorld>, id: string) => (await w.store.sessions.getById(id))?.state;

describe('session lifecycle', () => {
  it('creates an ONGOING session with its requirements and CREATED checks', async () => {
    const w = sessionWorld();
    const { session, check } = await created(w);
    expect(session).toMatchObject({
      appId: 'app-1',
      state: 'ONGOING',
      finishedAt: null,
      tokenExpiresAt: w.now() + 900_000,
    });
    expect(session.requirements.map((r) => r.type)).toEqual(['LIVENESS']);
    expect(check).toMatchObject({ type: 'LIVENESS', state: 'CREATED', report: null });
  });

  it('starts the checks once when the last required capture arrives, not before', async () => {
    const w = sessionWorld();
    const { session } = await created(w);
    await w.lifecycle.capturesChanged(session);
    expect(w.queue.queued(JOBS.process)).toHaveLength(0);
    await captureSelfie(w, session);
    await w.lifecycle.capturesChanged(session);
    await w.lifecycle.capturesChanged(session);
    expect(w.queue.queued(JOBS.process).map((j) => j.dedupeKey)).toEqual([`process:${session.id}`]);
  });

  it('ends the token when the user finishes, and starts the checks whatever was captured', async () => {
    const w = sessionWorld();
    const { session } = await created(w);
    expect(await w.lifecycle.userFinished(session)).toEqual({ complete: false });
    expect((await w.store.sessions.getById(session.id))!.finishedAt).toBe(w.now());
    expect(await w.topics(session.id)).toEqual(['CLIENT_SESSION_TOKEN_DELETED']);
    expect(w.queue.queued(JOBS.process)).toHaveLength(1);
  });

  it('expires a session whose token ran out with captures missing, and starts one whose captures are all in', async () => {
    const w = sessionWorld();
    const { session: missing } = await created(w);
    const { session: complete } = await created(w);
    await captureSelfie(w, complete);
    await w.lifecycle.tokenExpired(missing);
    await w.lifecycle.tokenExpired(complete);
    expect(await stateOf(w, missing.id)).toBe('EXPIRED');
    expect(await stateOf(w, complete.id)).toBe('ONGOING');
    expect(w.queue.queued(JOBS.process).map((j) => j.sessionId)).toEqual([complete.id]);
  });

  it('completes the session when its last check is done, with one CHECK_COMPLETION and one SESSION_COMPLETION', async () => {
    const w = sessionWorld();
    const { session, check } = await created(w);
    await w.lifecycle.finalise(session.id);
    expect(await stateOf(w, session.id), 'a session with an undone check stays ONGOING').toBe('ONGOING');
    await w.lifecycle.checkEvaluated(session, check, { report, resourcesUsed: [] });
    // A worker that died after the write runs the step again: the follow-ups are sent again, never doubled.
    await w.lifecycle.checkEvaluated(session, (await w.store.work.getCheck(session.id, check.id))!);
    await w.queue.drain({ ...w.lifecycle.handlers(), 'webhook.deliver': () => undefined });
    expect(await stateOf(w, session.id)).toBe('COMPLETED');
    await w.lifecycle.finalise(session.id);
    expect(await w.topics(session.id)).toEqual(['CHECK_COMPLETION', 'SESSION_COMPLETION']);
  });

  it('holds a check that needs a person in AWAITING_REVIEW, shown as ONGOING, until the decision completes it', async () => {
    const w = sessionWorld();
    const { session, check } = await created(w);
    await w.lifecycle.checkEvaluated(session, check, { report, resourcesUsed: [], review: 'ALWAYS' });
    expect(await stateOf(w, session.id)).toBe('AWAITING_REVIEW');
    expect((await w.store.work.getCheck(session.id, check.id))!.state).toBe('AWAITING_REVIEW');
    await w.lifecycle.finalise(session.id);
    expect(await stateOf(w, session.id), 'finalise does not complete a session in review').toBe('AWAITING_REVIEW');
    const shown = sessionResultJson(
      await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!),
      w.now(),
    );
    expect(shown.state).toBe('ONGOING');
    expect(shown.checks[0]).toMatchObject({ state: 'CREATED' });
    expect(shown.checks[0]).not.toHaveProperty('report');
    expect(await w.topics(session.id), 'no completion event while in review').toEqual([]);

    const [item] = await w.reviews.queue({ appIds: null, states: ['OPEN'], limit: 10 });
    expect(item).toMatchObject({ sessionId: session.id, checkId: check.id, reason: 'ALWAYS' });
    await w.reviews.decide(item!.id, 'rita', 'REJECT', 'a photo of a screen');
    await w.queue.drain({ ...w.lifecycle.handlers(), 'webhook.deliver': () => undefined });

    const decided = (await w.store.work.getCheck(session.id, check.id))!;
    expect(decided.state).toBe('DONE');
    expect(decided.report, "the decided sub-check is the person's; the others stay the machine's").toEqual({
      recommendation: { value: 'REJECT' },
      breakdown: [
        {
          sub_check: 'liveness_auth',
          result: 'FAIL',
          process: 'EXPERT_REVIEW',
          details: [
            { name: 'confidence_score', value: '0.45' },
            { name: 'review_reason', value: 'a photo of a screen' },
          ],
        },
        signature,
      ],
    });
    expect(await stateOf(w, session.id)).toBe('COMPLETED');
    expect(await w.topics(session.id)).toEqual(['CHECK_COMPLETION', 'SESSION_COMPLETION']);
    expect(await w.reviews.listUnapplied()).toEqual([]);
  });

  it('applies a decision that a crash kept from its check on the next recovery pass', async () => {
    const w = sessionWorld();
    const { session, check } = await created(w);
    await w.lifecycle.checkEvaluated(session, check, { report, resourcesUsed: [], review: 'FFS_REVIEW_BAND' });
    const [item] = await w.reviews.queue({ appIds: null, states: ['OPEN'], limit: 10 });
    await w.reviews.decide(item!.id, 'rita', 'APPROVE', '');
    w.queue.jobs.splice(0); // the process died before its job ran
    await w.lifecycle.recoverReviews();
    expect((await w.store.work.getCheck(session.id, check.id))!.report!.recommendation).toEqual({ value: 'APPROVE' });
    expect(await w.reviews.listUnapplied()).toEqual([]);
  });

  it('erases a session everywhere: rows, media bytes and pending jobs; deletion on request also scrubs', async () => {
    const w = sessionWorld();
    const { session } = await created(w);
    await w.media.put(`app-1/${session.id}/m-1`, Buffer.from('x'), 'image/jpeg');
    await w.lifecycle.userFinished(session);
    await w.lifecycle.delete(session);
    expect(await w.store.sessions.getById(session.id)).toBeNull();
    expect(await w.store.work.listChecks(session.id)).toEqual([]);
    expect(await w.media.list(`app-1/${session.id}/`)).toEqual([]);
    expect(w.queue.queued()).toEqual([]);
    expect(w.scrubs()).toBe(1);
  });

  it('allows only the documented moves between stored states', () => {
    expect(canMove('ONGOING', 'AWAITING_REVIEW')).toBe(true);
    expect(canMove('AWAITING_REVIEW', 'ONGOING')).toBe(true);
    expect(canMove('COMPLETED', 'ONGOING')).toBe(false);
    expect(canMove('EXPIRED', 'COMPLETED')).toBe(false);
    expect(canMove('AWAITING_REVIEW', 'COMPLETED'), 'a session leaves review before it completes').toBe(false);
    expect(Object.keys(SESSION_MOVES).sort()).toEqual(['AWAITING_REVIEW', 'COMPLETED', 'EXPIRED', 'ONGOING']);
  });
});
