import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { FaceEngineError } from '../../src/domain/ports/face-engine.port.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { aFaceResult } from '../helpers/records.js';
import { sessionWorld } from '../fakes/session-world.js';

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

const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof AppError ? err.code : String(err)));
const result = async (w: ReturnType<typeof sessionWorld>, id: string) => sessionResultJson(await w.store.sessions.bundle((await w.store.sessions.getById(id))!), w.now());

describe('capture API and checks pipeline', () => {
  it('takes a challenged selfie to an approved LIVENESS and a COMPLETED session, with its webhooks in order', async () => {
    const w = sessionWorld();
    const session = await started(w);
    const { challenge_id } = await w.capture.challenge(session);
    const upload = await w.capture.uploadLiveness(session, { data: SELFIE }, challenge_id);
    expect(upload).toMatchObject({ attempts_remaining: 1, feedback: expect.any(Object) });
    expect(await w.capture.finish(session)).toEqual({ complete: true, redirect_url: null });
    await w.drain();

    const shown = await result(w, session.id);
    expect(shown.state).toBe('COMPLETED');
    expect(shown.checks[0]).toMatchObject({ type: 'LIVENESS', state: 'DONE', report: { recommendation: { value: 'APPROVE' } }, resources_used: [upload.resource_id] });
    expect(await w.topics(session.id)).toEqual(['RESOURCE_UPDATE', 'CLIENT_SESSION_TOKEN_DELETED', 'CHECK_COMPLETION', 'SESSION_COMPLETION']);
    expect(w.engine.calls, 'the analysis made at upload is the one the check reads').toBe(1);
  });

  it('rejects a selfie without a valid challenge, and one whose bytes another session submitted', async () => {
    const w = sessionWorld();
    const first = await started(w);
    await w.capture.uploadLiveness(first, { data: SELFIE }, undefined);
    const second = await started(w);
    const { challenge_id } = await w.capture.challenge(second);
    await w.capture.uploadLiveness(second, { data: SELFIE }, challenge_id);
    for (const s of [first, second]) await w.capture.finish(s);
    await w.drain();
    const reasons = async (id: string) => (await result(w, id)).checks[0]!.report!.breakdown.find((b) => b.sub_check === 'payload_signature_verification')!;
    expect((await result(w, first.id)).checks[0]!.report!.recommendation).toEqual({ value: 'REJECT' });
    expect((await reasons(first.id)).details).toEqual([{ name: 'reason', value: 'the capture did not carry a valid capture challenge' }]);
    expect((await reasons(second.id)).details).toEqual([{ name: 'reason', value: 'the same image was submitted in another session' }]);
  });

  it('refuses a face capture before consent, past max_retries, and an image the engine cannot read (keeping nothing)', async () => {
    const w = sessionWorld();
    const { session_id } = await w.sessions.create('app-1', SPEC);
    const fresh = (await w.store.sessions.getById(session_id))!;
    expect(await code(w.capture.uploadLiveness(fresh, { data: SELFIE }, undefined))).toBe('FORBIDDEN');

    const session = await started(w);
    w.engine.script(OTHER_SELFIE, new FaceEngineError('IMAGE_CORRUPT', 'corrupt'));
    const stored = () => w.media.list(`app-1/${session.id}/`);
    expect(await code(w.capture.uploadLiveness(session, { data: OTHER_SELFIE }, undefined))).toBe('UNPROCESSABLE_IMAGE');
    expect(await stored()).toEqual([]);
    expect(w.store.usageRows.get(session.id)?.get('upload_bytes'), 'the refused bytes are given back').toBe(0);

    await w.capture.uploadLiveness(session, { data: SELFIE }, undefined);
    await w.capture.uploadLiveness(session, { data: SELFIE }, undefined);
    expect(await code(w.capture.uploadLiveness(session, { data: SELFIE }, undefined))).toBe('MAX_RETRIES_EXCEEDED');
    expect(await stored()).toHaveLength(2);
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
    const { challenge_id } = await w.capture.challenge(session);
    await w.capture.uploadLiveness(session, { data: SELFIE }, challenge_id);
    await w.capture.finish(session);
    await w.drain();
    const check = (await w.store.work.listChecks(session.id))[0]!;
    const before = structuredClone(check);
    await w.pipeline.process(session.id);
    await w.pipeline.runCheck(session.id, check.id);
    await w.drain();
    expect((await w.store.work.listChecks(session.id))[0]).toEqual(before);
    expect(await w.topics(session.id)).toEqual(['RESOURCE_UPDATE', 'CLIENT_SESSION_TOKEN_DELETED', 'CHECK_COMPLETION', 'SESSION_COMPLETION']);
  });
});
