import { describe, expect, it } from 'vitest';
import { evaluateFaceMatch } from '../../src/domain/checks/face-match.verdict.js';
import {
  evaluateFamiliarFaceSearch,
  NO_MATCH_FOUND,
} from '../../src/domain/checks/definitions/familiar-face-search.check.js';
import { evaluateLiveness } from '../../src/domain/checks/definitions/liveness.check.js';
import type { Report } from '../../src/domain/sessions/session.types.js';
import { aFaceResult } from '../helpers/records.js';

const details = (r: Report, sub: string) =>
  Object.fromEntries(r.breakdown.find((b) => b.sub_check === sub)!.details.map((d) => [d.name, d.value]));
const results = (r: Report) => r.breakdown.map((b) => `${b.sub_check}:${b.result}`);
const signed = { pass: true, details: { challenge: 'VALID', frames: 5 } };

describe('LIVENESS verdict', () => {
  const face = (liveness: number) => ({ face: { ...aFaceResult(1), liveness } });

  it('approves one live face with a verified capture, with the score to two decimals', () => {
    const r = evaluateLiveness({ face: face(0.914), burst: signed, threshold: 0.5 });
    expect(r.recommendation).toEqual({ value: 'APPROVE' });
    expect(results(r)).toEqual(['face_processing:PASS', 'liveness_auth:PASS', 'payload_signature_verification:PASS']);
    expect(details(r, 'liveness_auth')).toEqual({
      confidence_score: '0.91',
      threshold: '0.50',
      assurance: 'STATIC_BURST',
    });
    expect(details(r, 'payload_signature_verification')).toEqual({ challenge: 'VALID', frames: '5' });
  });

  it('rejects a score under the threshold, and a live face whose capture carried no valid challenge', () => {
    expect(evaluateLiveness({ face: face(0.49), burst: signed, threshold: 0.5 }).recommendation).toEqual({
      value: 'REJECT',
    });
    const replayed = evaluateLiveness({
      face: face(0.99),
      burst: {
        pass: false,
        reason: 'a frame of the burst was submitted in another session',
        details: { challenge: 'VALID' },
      },
      threshold: 0.5,
    });
    expect(replayed.recommendation).toEqual({ value: 'REJECT' });
    expect(results(replayed), 'a high passive score does not carry a failed burst').toEqual([
      'face_processing:PASS',
      'liveness_auth:FAIL',
      'payload_signature_verification:FAIL',
    ]);
    expect(details(replayed, 'payload_signature_verification')).toEqual({
      challenge: 'VALID',
      reason: 'a frame of the burst was submitted in another session',
    });
  });

  it('is NOT_AVAILABLE with the refusal reason when there is no usable face', () => {
    const r = evaluateLiveness({
      face: { refusal: 'NO_FACE_DETECTED', detail: 'no face' },
      burst: signed,
      threshold: 0.5,
    });
    expect(r.recommendation).toEqual({ value: 'NOT_AVAILABLE', reason: 'FACE_NOT_FOUND' });
    expect(results(r)).toEqual(['face_processing:FAIL', 'payload_signature_verification:PASS']);
  });
});

describe('face match verdict (ID_DOCUMENT_FACE_MATCH, FACE_COMPARISON)', () => {
  it('approves at or above the threshold and rejects below it as DIFFERENT_PERSON', () => {
    expect(evaluateFaceMatch({ kind: 'compared', similarity: 0.4, threshold: 0.4 }).recommendation).toEqual({
      value: 'APPROVE',
    });
    const below = evaluateFaceMatch({ kind: 'compared', similarity: -0.2, threshold: 0.4 });
    expect(below.recommendation).toEqual({ value: 'REJECT', reason: 'DIFFERENT_PERSON' });
    expect(details(below, 'ai_face_match').confidence_score, 'a negative similarity shows as 0').toBe('0.00');
  });

  it('names other faces of the reference, and says which side was unusable', () => {
    expect(
      details(
        evaluateFaceMatch({ kind: 'compared', similarity: 0.8, threshold: 0.4, referenceOtherFaces: 2 }),
        'ai_face_match',
      ).reference_other_faces_count,
    ).toBe('2');
    const missing = evaluateFaceMatch({
      kind: 'unusable',
      side: 'reference',
      refusal: 'MISSING',
      detail: 'no reference image',
      reason: 'DOCUMENT_NOT_FOUND',
    });
    expect(missing.recommendation).toEqual({ value: 'NOT_AVAILABLE', reason: 'DOCUMENT_NOT_FOUND' });
    expect(details(missing, 'ai_face_match')).toEqual({ reason: 'reference: no reference image' });
    const blurry = evaluateFaceMatch({
      kind: 'unusable',
      side: 'selfie',
      refusal: 'FACE_TOO_BLURRY',
      detail: 'blurred',
    });
    expect(blurry.recommendation).toEqual({ value: 'NOT_AVAILABLE', reason: 'PHOTO_TOO_BLURRY' });
  });
});

describe('FAMILIAR_FACE_SEARCH verdict', () => {
  const policy = {
    threshold: 0.6,
    source: 'derived' as const,
    targetFpir: 0.01,
    expectedFpir: 0.01,
    expectedFnir: 0.04,
    poolSize: 120,
  };
  const searched = (similarities: number[]) => ({
    kind: 'searched' as const,
    poolId: 'pool-1',
    policy,
    candidates: similarities.map((similarity, i) => ({ applicantId: `a-${i}`, faceId: `f-${i}`, similarity })),
  });

  it('under NO_MATCH, rejects a face found in the pool with MATCH_FOUND and names the applicant', () => {
    const r = evaluateFamiliarFaceSearch('NO_MATCH', searched([0.81, 0.3, 0.2, 0.1]));
    expect(r.recommendation).toEqual({ value: 'REJECT', reason: 'MATCH_FOUND' });
    expect(details(r, 'face_not_found_in_pool')).toEqual({
      matching_pool: 'pool-1',
      matching_applicant: 'a-0',
      threshold: '0.60',
      pool_face_count: '120',
      candidate_1_similarity: '0.81',
      candidate_2_similarity: '0.30',
      candidate_3_similarity: '0.20',
    });
    expect(evaluateFamiliarFaceSearch('NO_MATCH', searched([0.59])).recommendation).toEqual({ value: 'APPROVE' });
  });

  it('under MATCH, approves a face found and rejects one not found with NO_MATCH_FOUND', () => {
    expect(evaluateFamiliarFaceSearch('MATCH', searched([0.6])).recommendation).toEqual({ value: 'APPROVE' });
    expect(evaluateFamiliarFaceSearch('MATCH', searched([])).recommendation).toEqual({
      value: 'REJECT',
      reason: NO_MATCH_FOUND,
    });
  });

  it('is NOT_AVAILABLE without a usable selfie or once the pool is gone', () => {
    expect(
      evaluateFamiliarFaceSearch('NO_MATCH', {
        kind: 'no-face',
        refusal: 'MULTIPLE_FACES_DETECTED',
        detail: 'two faces',
      }).recommendation,
    ).toEqual({ value: 'NOT_AVAILABLE', reason: 'INVALID' });
    expect(evaluateFamiliarFaceSearch('MATCH', { kind: 'no-pool', poolId: 'gone' }).recommendation).toEqual({
      value: 'NOT_AVAILABLE',
      reason: 'INVALID',
    });
  });
});
