import type { Box } from '../ports/face-engine.port.js';
import type { PoolCandidate } from '../pools/pool-search.js';
import type { PoolDecisionPolicy } from '../pools/pool-threshold.js';
import type { Report } from '../sessions/session.types.js';
import { notAvailableReason } from './face-refusal-reasons.js';
import type { FaceRefusal } from '../pools/enrolment-gate.js';
import { approve, faceSelectionDetails, formatScore, notAvailable, reject, report, subCheck } from './report.js';

export const NO_MATCH_FOUND = 'NO_MATCH_FOUND';

export type FfsEvidence =
  | { kind: 'searched'; poolId: string; candidates: PoolCandidate[]; policy: PoolDecisionPolicy; probe?: { box: Box; others: Box[] } }
  | { kind: 'no-face'; refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string }
  | { kind: 'no-pool'; poolId: string };

/**
 * Familiar face search (spec section 4): with NO_MATCH criteria a face found in the pool rejects with
 * MATCH_FOUND; with MATCH criteria a face not found rejects with NO_MATCH_FOUND (openidv's reason: Yoti does not
 * document one).
 */
export function evaluateFamiliarFaceSearch(criteria: 'MATCH' | 'NO_MATCH', e: FfsEvidence): Report {
  const subName = criteria === 'MATCH' ? 'face_found_in_pool' : 'face_not_found_in_pool';
  if (e.kind === 'no-face') return report(notAvailable(notAvailableReason(e.refusal)), [subCheck(subName, false, { reason: e.detail })]);
  if (e.kind === 'no-pool') return report(notAvailable('INVALID'), [subCheck(subName, false, { reason: 'the pool no longer exists' })]);

  const best = e.candidates[0];
  const match = best !== undefined && best.similarity >= e.policy.threshold;
  const details: Record<string, string | undefined> = {};
  if (match) {
    details.matching_pool = e.poolId;
    details.matching_applicant = best.applicantId;
  }
  details.threshold = formatScore(e.policy.threshold);
  details.pool_face_count = String(e.policy.poolSize);
  e.candidates.slice(0, 3).forEach((c, i) => (details[`candidate_${i + 1}_similarity`] = formatScore(c.similarity)));
  if (e.probe?.others.length) Object.assign(details, faceSelectionDetails(e.probe.box, e.probe.others, 'searched_face'));
  if (criteria === 'MATCH') {
    return report(match ? approve() : reject(NO_MATCH_FOUND), [subCheck(subName, match, details)]);
  }
  return report(match ? reject('MATCH_FOUND') : approve(), [subCheck(subName, !match, details)]);
}
