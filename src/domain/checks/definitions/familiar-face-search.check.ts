import { Type } from '@sinclair/typebox';
import type { Box } from '../../ports/face-engine.port.js';
import type { FaceRefusal } from '../../pools/enrolment-gate.js';
import type { PoolCandidate } from '../../pools/pool-search.js';
import type { PoolDecisionPolicy } from '../../pools/pool-threshold.js';
import type { ReviewBand } from '../../pools/review-band.js';
import type { Report } from '../../sessions/session.types.js';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { inBand, REVIEW_REASONS } from '../manual-check.js';
import { notAvailableReason } from '../face-refusal-reasons.js';
import { approve, faceSelectionDetails, formatScore, notAvailable, reject, report, subCheck } from '../report.js';

export const NO_MATCH_FOUND = 'NO_MATCH_FOUND';

export type FfsEvidence =
  | {
      kind: 'searched';
      poolId: string;
      candidates: PoolCandidate[];
      policy: PoolDecisionPolicy;
      band?: ReviewBand;
      probe?: { box: Box; others: Box[] };
    }
  | { kind: 'no-face'; refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string }
  | { kind: 'no-pool'; poolId: string };

/**
 * Familiar face search (spec section 4): with NO_MATCH criteria a face found in the pool rejects with
 * MATCH_FOUND; with MATCH criteria a face not found rejects with NO_MATCH_FOUND (openidv's reason: Yoti does not
 * document one).
 */
export function evaluateFamiliarFaceSearch(criteria: 'MATCH' | 'NO_MATCH', e: FfsEvidence): Report {
  const subName = subCheckName(criteria);
  if (e.kind === 'no-face')
    return report(notAvailable(notAvailableReason(e.refusal)), [subCheck(subName, false, { reason: e.detail })]);
  if (e.kind === 'no-pool')
    return report(notAvailable('INVALID'), [subCheck(subName, false, { reason: 'the pool no longer exists' })]);

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
  if (e.probe?.others.length)
    Object.assign(details, faceSelectionDetails(e.probe.box, e.probe.others, 'searched_face'));
  if (criteria === 'MATCH') {
    return report(match ? approve() : reject(NO_MATCH_FOUND), [subCheck(subName, match, details)]);
  }
  return report(match ? reject('MATCH_FOUND') : approve(), [subCheck(subName, !match, details)]);
}

/** Inconclusive when the best candidate falls in the pool's review band: below the match threshold, above the band's. */
export function ffsInconclusive(e: FfsEvidence): string | undefined {
  const best = e.kind === 'searched' ? e.candidates[0] : undefined;
  if (e.kind !== 'searched' || !e.band || e.band.empty || !best) return undefined;
  return inBand(best.similarity, e.band) ? REVIEW_REASONS.FFS_REVIEW_BAND : undefined;
}

const subCheckName = (criteria: unknown) => (criteria === 'MATCH' ? 'face_found_in_pool' : 'face_not_found_in_pool');

export const familiarFaceSearch = defineCheck({
  type: 'FAMILIAR_FACE_SEARCH',
  config: Type.Object({
    pool_id: Type.String({ minLength: 1, maxLength: 64 }),
    approval_criteria: Type.Union([Type.Literal('MATCH'), Type.Literal('NO_MATCH')]),
    // Not in Yoti's documented FFS config; accepted as on its other checks, FALLBACK meaning the pool's review band.
    manual_check: Type.Optional(ManualCheck),
  }),
  // One search per pool: the same pool twice is a duplicate, two pools are two checks.
  instanceKey: (config) => `FAMILIAR_FACE_SEARCH:${String(config.pool_id)}`,
  // A foreign pool reads exactly like an unknown one.
  verify: async (config, context) =>
    (await context.poolExists(String(config.pool_id)))
      ? null
      : { property: 'pool_id', message: 'no pool with this id' },
  needs: () => [{ type: 'SELFIE' }],
  async evaluate(config, { bundle, evidence }) {
    const poolId = String(config.pool_id);
    const criteria = config.approval_criteria;
    const { resource, media } = evidence.selfie(bundle);
    const selfie = await evidence.faces.singleFace(media, 'dominant');
    const pool = await evidence.pool(bundle.session.appId, poolId);
    let found: FfsEvidence;
    if (!pool) found = { kind: 'no-pool', poolId };
    else if (!('face' in selfie)) found = { kind: 'no-face', refusal: selfie.refusal, detail: selfie.detail };
    else {
      const { candidates, policy, band } = await evidence.searchPool(pool, selfie);
      found = {
        kind: 'searched',
        poolId,
        candidates,
        policy,
        band,
        probe: { box: selfie.face.box, others: selfie.others },
      };
    }
    const inconclusive = ffsInconclusive(found);
    return {
      report: evaluateFamiliarFaceSearch(criteria, found),
      ...(inconclusive ? { inconclusive } : {}),
      resourcesUsed: resource ? [resource.id] : [],
      // The pool's label at the time of the search goes into the echoed config.
      config: {
        pool_id: poolId,
        ...(pool ? { pool_label: pool.label } : {}),
        approval_criteria: criteria,
        ...(config.manual_check ? { manual_check: config.manual_check } : {}),
      },
    };
  },
  // A reviewer who finds the face in the pool rejects a NO_MATCH search with MATCH_FOUND, and the reverse for MATCH.
  reviewed: (config) => ({
    subCheck: subCheckName(config.approval_criteria),
    rejectReason: config.approval_criteria === 'MATCH' ? NO_MATCH_FOUND : 'MATCH_FOUND',
  }),
});
