import { describe, expect, it } from 'vitest';
import { checkSummary, reviewReasonWords } from '../../src/domain/console/report-words.js';
import { faceMatchReviewBand, livenessReviewBand, manualCheckReason } from '../../src/domain/checks/manual-check.js';
import type { PoolRecord } from '../../src/domain/pools/pool.types.js';
import type { Report } from '../../src/domain/sessions/session.types.js';
import { reviewedReport } from '../../src/domain/sessions/lifecycle/reviewed-report.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { decadeCalibration } from '../fakes/decade-calibration.js';
import { sessionWorld, type WorldPool } from '../fakes/session-world.js';
import { scriptBurst } from '../helpers/scripted-bursts.js';

// manual_check on the built-in checks, through the real pipeline, lifecycle and review service on fakes: which
// results go to a person (ALWAYS; FALLBACK only when inconclusive; NEVER), what the session shows meanwhile, and
// what the report says once a reviewer decided.

/** A selfie of its own bytes (the same bytes in two sessions fail the capture's signature sub-check). */
const POOL: PoolRecord = {
  id: 'pool-1',
  appId: 'app-1',
  label: 'BLOCKLIST',
  settings: {},
  modelSetId: 'test-model-set',
  createdAt: 0,
  updatedAt: 0,
};
const liveness = (manual_check?: string) => ({
  type: 'LIVENESS',
  config: { liveness_type: 'STATIC', ...(manual_check ? { manual_check } : {}) },
});
const ffs = (approval_criteria: string, manual_check?: string) => ({
  type: 'FAMILIAR_FACE_SEARCH',
  config: { pool_id: POOL.id, approval_criteria, ...(manual_check ? { manual_check } : {}) },
});

/** A world whose pool of one face finds a best candidate of `similarity` (the decade calibration's band at one face: 0.1-0.4). */
const withPool = (similarity: number): WorldPool => ({
  record: POOL,
  candidates: [{ applicantId: 'applicant-9', faceId: 'face-9', similarity }],
  size: 1,
});

let bursts = 0;

/** A session of `checks` whose user sent a live burst scoring `score` on liveness (a still re-sent when told). */
async function run(
  w: ReturnType<typeof sessionWorld>,
  checks: { type: string; config: object }[],
  score: number,
  options: { still?: boolean } = {},
) {
  const { session_id } = await w.sessions.create('app-1', {
    requested_checks: checks,
    notifications: { endpoint: 'https://hooks.example/idv' },
  });
  const burst = scriptBurst(w.engine, options.still ? 'still' : 'live', 7, ++bursts, score);
  let session = (await w.store.sessions.getById(session_id))!;
  await w.capture.consent(session);
  session = (await w.store.sessions.getById(session_id))!;
  const { challenge_id, nonce } = await w.capture.challenge(session);
  w.advance(1500);
  await w.capture.uploadLiveness(session, { ...burst, challengeId: challenge_id, nonce });
  await w.capture.finish(session);
  await w.drain();
  return session_id;
}

const stored = async (w: ReturnType<typeof sessionWorld>, id: string) => (await w.store.sessions.getById(id))!;
const shown = async (w: ReturnType<typeof sessionWorld>, id: string) =>
  sessionResultJson(await w.store.sessions.bundle(await stored(w, id)), w.now());
const openItems = (w: ReturnType<typeof sessionWorld>) =>
  w.reviews.queue({ appIds: null, states: ['OPEN'], limit: 10 });

describe('manual_check', () => {
  it('reads ALWAYS, FALLBACK (with an inconclusive result only) and NEVER', () => {
    expect(manualCheckReason('ALWAYS', undefined)).toBe('ALWAYS');
    expect(manualCheckReason('ALWAYS', 'FFS_REVIEW_BAND')).toBe('ALWAYS');
    expect(manualCheckReason('FALLBACK', 'FFS_REVIEW_BAND')).toBe('FFS_REVIEW_BAND');
    expect(manualCheckReason('FALLBACK', undefined)).toBeNull();
    expect(manualCheckReason('NEVER', 'FFS_REVIEW_BAND')).toBeNull();
    expect(manualCheckReason(undefined, 'FFS_REVIEW_BAND')).toBeNull();
  });

  it('puts "near the threshold" one decade of false match rate either side of the 1:1 operating point', () => {
    const band = faceMatchReviewBand(decadeCalibration(0.4));
    expect(band.lower).toBeCloseTo(0.3, 10);
    expect(band.upper).toBeCloseTo(0.5, 10);
    expect(livenessReviewBand(0.5)).toEqual({ lower: 0.3, upper: 0.7 });
    expect(livenessReviewBand(0.9)).toEqual({ lower: 0.7, upper: 1 });
  });

  it('ALWAYS sends a liveness result to a person: the session waits, shown ONGOING with the check CREATED', async () => {
    const w = sessionWorld();
    const id = await run(w, [liveness('ALWAYS')], 0.97);
    expect((await stored(w, id)).state).toBe('AWAITING_REVIEW');
    const result = await shown(w, id);
    expect(result.state).toBe('ONGOING');
    expect(result.checks[0]).toMatchObject({ type: 'LIVENESS', state: 'CREATED' });
    expect(result.checks[0]).not.toHaveProperty('report');
    const [item] = await openItems(w);
    expect(item).toMatchObject({ sessionId: id, checkType: 'LIVENESS', reason: 'ALWAYS' });
    // The console shows the reviewer what the machine found, and why the check is in review.
    expect(checkSummary((await w.store.work.listChecks(id))[0]!)).toMatchObject({
      outcome: 'Waiting for a reviewer (automated result: approved)',
      value: 'PENDING',
    });
    expect(reviewReasonWords(item!.reason)).toMatch(/^manual_check ALWAYS/);
    expect(await w.topics(id)).not.toContain('SESSION_COMPLETION');

    await w.reviews.decide(item!.id, 'rita', 'APPROVE', 'looked at the selfie');
    await w.drain();
    const done = await shown(w, id);
    expect(done.state).toBe('COMPLETED');
    const liveness_auth = done.checks[0]!.report!.breakdown.find((b) => b.sub_check === 'liveness_auth');
    expect(done.checks[0]!.report!.recommendation).toEqual({ value: 'APPROVE' });
    expect(liveness_auth).toMatchObject({ result: 'PASS', process: 'EXPERT_REVIEW' });
    expect(liveness_auth!.details).toContainEqual({ name: 'review_reason', value: 'looked at the selfie' });
    expect(done.checks[0]!.report!.breakdown.filter((b) => b.process === 'AUTOMATED').map((b) => b.sub_check)).toEqual([
      'face_processing',
      'payload_signature_verification',
    ]);
    expect(await w.topics(id)).toEqual([
      'RESOURCE_UPDATE',
      'CLIENT_SESSION_TOKEN_DELETED',
      'CHECK_COMPLETION',
      'SESSION_COMPLETION',
    ]);
  });

  it('FALLBACK sends a liveness score near its threshold, and nothing else', async () => {
    const w = sessionWorld();
    const near = await run(w, [liveness('FALLBACK')], 0.62);
    const clear = await run(w, [liveness('FALLBACK')], 0.95);
    const attack = await run(w, [liveness('FALLBACK')], 0.05);
    const unchallenged = await run(w, [liveness('FALLBACK')], 0.62, { still: true });
    const never = await run(w, [liveness()], 0.62);
    expect((await openItems(w)).map((i) => [i.sessionId, i.reason])).toEqual([[near, 'LIVENESS_NEAR_THRESHOLD']]);
    for (const id of [clear, attack, unchallenged, never]) expect((await stored(w, id)).state, id).toBe('COMPLETED');
    expect((await shown(w, never)).checks[0]!.report!.recommendation, 'NEVER keeps the automated verdict').toEqual({
      value: 'APPROVE',
    });
    expect(
      (await shown(w, unchallenged)).checks[0]!.report!.recommendation,
      'a burst that fails payload_signature_verification stays rejected',
    ).toEqual({ value: 'REJECT' });
  });

  it('FALLBACK sends a familiar face search whose best candidate is in the review band; the reject reads MATCH_FOUND', async () => {
    const w = sessionWorld({ pool: withPool(0.25) });
    const id = await run(w, [ffs('NO_MATCH', 'FALLBACK')], 0.95);
    const [item] = await openItems(w);
    expect(item).toMatchObject({ sessionId: id, checkType: 'FAMILIAR_FACE_SEARCH', reason: 'FFS_REVIEW_BAND' });
    const check = (await w.store.work.listChecks(id))[0]!;
    expect(check.report!.recommendation, 'below the match threshold the machine alone would approve').toEqual({
      value: 'APPROVE',
    });
    expect(check.config).toMatchObject({ manual_check: 'FALLBACK', pool_label: 'BLOCKLIST' });

    await w.reviews.decide(item!.id, 'rita', 'REJECT', 'same person as applicant-9');
    await w.drain();
    const report = (await shown(w, id)).checks[0]!.report!;
    expect(report.recommendation).toEqual({ value: 'REJECT', reason: 'MATCH_FOUND' });
    expect(report.breakdown).toHaveLength(1);
    expect(report.breakdown[0]).toMatchObject({
      sub_check: 'face_not_found_in_pool',
      result: 'FAIL',
      process: 'EXPERT_REVIEW',
    });
    expect(report.breakdown[0]!.details).toContainEqual({ name: 'candidate_1_similarity', value: '0.25' });
    expect(report.breakdown[0]!.details).toContainEqual({ name: 'review_reason', value: 'same person as applicant-9' });
    expect((await stored(w, id)).state).toBe('COMPLETED');
  });

  it('keeps the automated familiar face search verdict outside the band, and under NEVER', async () => {
    for (const [similarity, manual, value] of [
      [0.05, 'FALLBACK', 'APPROVE'],
      [0.45, 'FALLBACK', 'REJECT'],
      [0.25, undefined, 'APPROVE'],
    ] as const) {
      const w = sessionWorld({ pool: withPool(similarity) });
      const id = await run(w, [ffs('NO_MATCH', manual)], 0.95);
      expect(await openItems(w), `${similarity} ${manual}`).toEqual([]);
      expect((await shown(w, id)).checks[0]!.report!.recommendation.value).toBe(value);
    }
  });

  it('waits for every check in review: a session completes only once the last decision is applied', async () => {
    const w = sessionWorld({ pool: withPool(0.25) });
    const id = await run(w, [liveness('ALWAYS'), ffs('MATCH', 'FALLBACK')], 0.95);
    const items = await openItems(w);
    expect(items.map((i) => i.reason).sort()).toEqual(['ALWAYS', 'FFS_REVIEW_BAND']);
    await w.reviews.decide(items.find((i) => i.checkType === 'LIVENESS')!.id, 'rita', 'APPROVE', '');
    await w.drain();
    expect((await stored(w, id)).state).toBe('AWAITING_REVIEW');
    expect((await shown(w, id)).checks.map((c) => c.state)).toEqual(['DONE', 'CREATED']);
    await w.reviews.decide(
      items.find((i) => i.checkType === 'FAMILIAR_FACE_SEARCH')!.id,
      'rita',
      'APPROVE',
      'the same person',
    );
    await w.drain();
    const result = await shown(w, id);
    expect(result.state).toBe('COMPLETED');
    expect(result.checks[1]!.report!.recommendation).toEqual({ value: 'APPROVE' });
    expect(result.checks[1]!.report!.breakdown[0]).toMatchObject({
      sub_check: 'face_found_in_pool',
      result: 'PASS',
      process: 'EXPERT_REVIEW',
    });
    expect((await w.topics(id)).filter((t) => t === 'SESSION_COMPLETION')).toHaveLength(1);
  });

  it('applies a decision made while a crash kept the check unsaved, once the check is evaluated again', async () => {
    const w = sessionWorld();
    const { session_id } = await w.sessions.create('app-1', { requested_checks: [liveness('ALWAYS')] });
    const session = await stored(w, session_id);
    const check = (await w.store.work.listChecks(session_id))[0]!;
    // The worker opened the review item, then died before saving the check.
    const item = await w.reviews.openReview(session, check, 'ALWAYS');
    await w.reviews.decide(item.id, 'rita', 'REJECT', 'a printed photo');
    await w.drain();
    expect(
      (await w.reviews.listUnapplied()).map((i) => i.id),
      'not applied to a check the lifecycle never sent',
    ).toEqual([item.id]);
    const automated: Report = { recommendation: { value: 'APPROVE' }, breakdown: [] };
    await w.lifecycle.checkEvaluated(session, check, { report: automated, resourcesUsed: [], review: 'ALWAYS' });
    await w.drain();
    expect((await w.store.work.getCheck(session_id, check.id))!.report).toEqual({
      recommendation: { value: 'REJECT' },
      breakdown: [
        {
          sub_check: 'liveness_auth',
          result: 'FAIL',
          process: 'EXPERT_REVIEW',
          details: [{ name: 'review_reason', value: 'a printed photo' }],
        },
      ],
    });
    expect((await stored(w, session_id)).state).toBe('COMPLETED');
    expect(await w.reviews.listUnapplied()).toEqual([]);
  });
});

describe('reviewed report', () => {
  const automated: Report = {
    recommendation: { value: 'REJECT', reason: 'DIFFERENT_PERSON' },
    breakdown: [
      {
        sub_check: 'ai_face_match',
        result: 'FAIL',
        process: 'AUTOMATED',
        details: [{ name: 'confidence_score', value: '0.31' }],
      },
    ],
  };

  it("adds a manual_face_match beside the machine's ai_face_match, keeping the machine's reason on a reject", () => {
    const rule = { subCheck: 'manual_face_match', rejectReason: 'DIFFERENT_PERSON' };
    expect(
      reviewedReport(automated, { decision: 'APPROVE', decisionReason: 'same person, older photo' }, rule),
    ).toEqual({
      recommendation: { value: 'APPROVE' },
      breakdown: [
        automated.breakdown[0],
        {
          sub_check: 'manual_face_match',
          result: 'PASS',
          process: 'EXPERT_REVIEW',
          details: [{ name: 'review_reason', value: 'same person, older photo' }],
        },
      ],
    });
    expect(
      reviewedReport(
        automated,
        { decision: 'REJECT', decisionReason: 'x' },
        { subCheck: 'manual_face_match', rejectReason: 'OTHER' },
      ).recommendation,
    ).toEqual({
      value: 'REJECT',
      reason: 'DIFFERENT_PERSON',
    });
  });

  it('rewrites the first sub-check when the check names none, and leaves out an empty reason', () => {
    expect(reviewedReport(automated, { decision: 'REJECT', decisionReason: '' })).toEqual({
      recommendation: { value: 'REJECT', reason: 'DIFFERENT_PERSON' },
      breakdown: [
        {
          sub_check: 'ai_face_match',
          result: 'FAIL',
          process: 'EXPERT_REVIEW',
          details: [{ name: 'confidence_score', value: '0.31' }],
        },
      ],
    });
  });
});
