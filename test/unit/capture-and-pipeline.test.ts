import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { FaceEngineError } from '../../src/domain/ports/face-engine.port.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { aFaceResult } from '../helpers/records.js';
import { sessionWorld } from '../fakes/session-world.js';
import { type BurstKind, scriptBurst } from '../helpers/scripted-bursts.js';

// The capture API and the checks pipeline on fakes of every port: a selfie goes from upload to a LIVENESS report
// and a COMPLETED session, through the lifecycle's transitions, with the face model replaced by scripted answers.

const SPEC = {
  requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } }],
  notifications: { endpoint: 'https://hooks.example/idv' },
};
const SELFIE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const OTHER_SELFIE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 2]);

async function started(w: ReturnType<typeof sessionWorld>) {
  const { session_id } = await w.sessions.create('app-1', SPEC);
  w.engine.script(SELFIE, { width: 640, height: 480, rotation: 0, faces: [aFaceResult(7)] });
  const session = (await w.store.sessions.getById(session_id))!;
  await w.capture.consent(session);
  return (await w.store.sessions.getById(session_id))!;
}

type World = ReturnType<typeof sessionWorld>;
type Session = Awaited<ReturnType<typeof started>>;

/** A challenge, the time a burst takes, then the burst answering it. */
async function sendBurst(w: World, session: Session, kind: BurstKind = 'live', tag = 0) {
  const { challenge_id, nonce } = await w.capture.challenge(session);
  w.advance(1500);
  return w.capture.uploadLiveness(session, {
    ...scriptBurst(w.engine, kind, 7, tag),
    challengeId: challenge_id,
    nonce,
  });
}

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof AppError ? err.code : String(err)),
  );
const result = async (w: ReturnType<typeof sessionWorld>, id: string) =>
  sessionResultJson(await w.store.sessions.bundle((await w.store.sessions.getById(id))!), w.now());

describe('capture API and checks pipeline', () => {
  it('takes a challenged selfie to an approved LIVENESS and a COMPLETED session, with its webhooks in order', async () => {
    const w = sessionWorld();
    const session = await started(w);
    const upload = await sendBurst(w, session);
    expect(upload).toMatchObject({ attempts_remaining: 1, feedback: expect.any(Object) });
    expect(await w.capture.finish(session)).toEqual({ complete: true, redirect_url: null });
    await w.drain();

    const shown = await result(w, session.id);
    expect(shown.state).toBe('COMPLETED');
    expect(shown.checks[0]).toMatchObject({
      type: 'LIVENESS',
      state: 'DONE',
      report: { recommendation: { value: 'APPROVE' } },
      resources_used: [upload.resource_id],
    });
    expect(await w.topics(session.id)).toEqual([
      'RESOURCE_UPDATE',
      'CLIENT_SESSION_TOKEN_DELETED',
      'CHECK_COMPLETION',
      'SESSION_COMPLETION',
    ]);
    expect(shown.resources.liveness_capture[0]).toMatchObject({ capture_method: 'CAMERA', frames: expect.any(Array) });
    expect(shown.resources.liveness_capture[0]!.frames).toHaveLength(4);
    expect(w.engine.calls, 'the still is analysed once at upload, each other frame once by the check').toBe(5);
  });

  it("refuses a liveness capture without a usable challenge: none, a wrong nonce, used, expired, another session's", async () => {
    const w = sessionWorld();
    const session = await started(w);
    const other = await started(w);
    const burst = scriptBurst(w.engine, 'live');
    const fresh = await w.capture.challenge(session);
    w.advance(1500);
    expect(
      await code(w.capture.uploadLiveness(session, { ...burst, challengeId: fresh.challenge_id, nonce: 'wrong' })),
    ).toBe('CONFLICT');
    const foreign = await w.capture.challenge(other);
    expect(
      await code(
        w.capture.uploadLiveness(session, { ...burst, challengeId: foreign.challenge_id, nonce: foreign.nonce }),
      ),
    ).toBe('CONFLICT');
    await w.capture.uploadLiveness(session, { ...burst, challengeId: fresh.challenge_id, nonce: fresh.nonce });
    const replay = scriptBurst(w.engine, 'live', 7, 1);
    expect(
      await code(w.capture.uploadLiveness(session, { ...replay, challengeId: fresh.challenge_id, nonce: fresh.nonce })),
      'used',
    ).toBe('CONFLICT');
    const late = await w.capture.challenge(session);
    w.advance(400_000);
    expect(
      await code(w.capture.uploadLiveness(session, { ...replay, challengeId: late.challenge_id, nonce: late.nonce })),
      'expired',
    ).toBe('CONFLICT');
    expect((await w.store.resources.list(session.id))[0]!.data.attempts, 'a refused capture uses no attempt').toBe(1);
  });

  it.each<[BurstKind, string]>([
    ['still', 'the frames are one picture re-sent: no motion between them'],
    ['slid', 'the face moves only as a flat picture would (one 2D similarity transform)'],
    ['two-people', 'the face changes identity between frames'],
  ])('rejects a %s burst, with the reason in payload_signature_verification', async (kind, reason) => {
    const w = sessionWorld();
    const session = await started(w);
    await sendBurst(w, session, kind);
    await w.capture.finish(session);
    await w.drain();
    const check = (await result(w, session.id)).checks[0]!;
    expect(check.report!.recommendation).toEqual({ value: 'REJECT' });
    const signature = check.report!.breakdown.find((b) => b.sub_check === 'payload_signature_verification')!;
    expect(signature.result).toBe('FAIL');
    expect(signature.details).toContainEqual({ name: 'reason', value: reason });
    expect(check.report!.breakdown.find((b) => b.sub_check === 'liveness_auth')!.result).toBe('FAIL');
  });

  it('rejects a burst whose frames another session sent, and one that came sooner than it lasts', async () => {
    const w = sessionWorld();
    const first = await started(w);
    await sendBurst(w, first);
    const second = await started(w);
    await sendBurst(w, second);
    const hasty = await started(w);
    const { challenge_id, nonce } = await w.capture.challenge(hasty);
    await w.capture.uploadLiveness(hasty, { ...scriptBurst(w.engine, 'live', 7, 9), challengeId: challenge_id, nonce });
    for (const s of [first, second, hasty]) await w.capture.finish(s);
    await w.drain();
    const reason = async (id: string) =>
      (await result(w, id)).checks[0]!.report!.breakdown.find(
        (b) => b.sub_check === 'payload_signature_verification',
      )!.details.find((d) => d.name === 'reason')?.value;
    expect(await reason(first.id)).toBe('a frame of the burst was submitted in another session');
    expect(await reason(second.id)).toBe('a frame of the burst was submitted in another session');
    expect(await reason(hasty.id)).toBe('the capture arrived sooner after its challenge than the burst lasts');
  });

  it('refuses a face capture before consent, past max_retries, and an image the engine cannot read (keeping nothing)', async () => {
    const w = sessionWorld();
    const { session_id } = await w.sessions.create('app-1', SPEC);
    const fresh = (await w.store.sessions.getById(session_id))!;
    expect(await code(w.capture.challenge(fresh))).toBe('FORBIDDEN');

    const session = await started(w);
    w.engine.script(OTHER_SELFIE, new FaceEngineError('IMAGE_CORRUPT', 'corrupt'));
    const stored = () => w.media.list(`app-1/${session.id}/`);
    const { challenge_id, nonce } = await w.capture.challenge(session);
    w.advance(1500);
    const corrupt = {
      ...scriptBurst(w.engine, 'live'),
      image: { data: OTHER_SELFIE },
      challengeId: challenge_id,
      nonce,
    };
    expect(await code(w.capture.uploadLiveness(session, corrupt))).toBe('UNPROCESSABLE_IMAGE');
    expect(await stored()).toEqual([]);
    expect(w.store.usageRows.get(session.id)?.get('upload_bytes'), 'the refused bytes are given back').toBe(0);
    expect(
      (await w.store.challenges.get(session.id, challenge_id))!.usedAt,
      'a refused burst leaves its challenge usable',
    ).toBeNull();

    await sendBurst(w, session, 'live', 1);
    await sendBurst(w, session, 'live', 2);
    expect(await code(sendBurst(w, session, 'live', 3))).toBe('MAX_RETRIES_EXCEEDED');
    expect(await stored()).toHaveLength(10);
  });

  it('shows a session whose token ran out with captures missing as EXPIRED before maintenance stores it', async () => {
    const w = sessionWorld();
    const session = await started(w);
    w.advance(900_000);
    expect((await result(w, session.id)).state).toBe('EXPIRED');
    expect(await code(w.capture.authenticate(session.id, session.clientToken))).toBe('BAD_TOKEN');
    await w.lifecycle.tokenExpired(session);
    expect((await w.store.sessions.getById(session.id))!.state).toBe('EXPIRED');
    expect(w.queue.queued('session.process')).toEqual([]);
  });

  it('runs each step once however often its job is delivered', async () => {
    const w = sessionWorld();
    const session = await started(w);
    await sendBurst(w, session);
    await w.capture.finish(session);
    await w.drain();
    const check = (await w.store.work.listChecks(session.id))[0]!;
    const before = structuredClone(check);
    await w.pipeline.process(session.id);
    await w.pipeline.runCheck(session.id, check.id);
    await w.drain();
    expect((await w.store.work.listChecks(session.id))[0]).toEqual(before);
    expect(await w.topics(session.id)).toEqual([
      'RESOURCE_UPDATE',
      'CLIENT_SESSION_TOKEN_DELETED',
      'CHECK_COMPLETION',
      'SESSION_COMPLETION',
    ]);
  });
});
