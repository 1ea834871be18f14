import type { FaceInput, ApplicantView, ImageSearch, PoolService, PoolView } from '../../domain/pools/pool.service.js';
import type { SelectedFace } from '../../domain/pools/enrolment-gate.js';
import type { Page, PoolRecord, PoolSettings } from '../../domain/pools/pool.types.js';

// The pools and applicants API's JSON, built from what the pool service returns. Each function's output is checked
// against its schema in pool.schema.ts (test/unit/wire-mappers.test.ts).

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * openidv extension on responses that analysed an image: which face was used and where the others are (boxes in
 * pixels of the upright image), so a caller can see that a group photo enrolled or searched its main face.
 * (FaceSelectionSchema)
 */
export function faceSelectionJson(selected: SelectedFace) {
  return {
    used_face_box: selected.face.box,
    other_face_count: selected.others.length,
    other_face_boxes: selected.others,
  };
}

/** ApplicantSchema */
export function applicantJson({ applicant, faces, pools }: ApplicantView, selected?: SelectedFace) {
  return {
    id: applicant.id,
    created_at: iso(applicant.createdAt),
    last_updated: iso(applicant.updatedAt),
    faces: {
      ...(faces[0] ? { archetype_face: faces[0].id } : {}),
      faces: faces.map((f) => ({ id: f.id, created_at: iso(f.createdAt), model_set_id: f.modelSetId })),
    },
    pools,
    ...(selected ? { face_selection: faceSelectionJson(selected) } : {}),
  };
}

/** PoolDetailSchema */
export function poolJson({ pool, size, policy, topK, modelSetId, calibrationDataset }: PoolView) {
  return {
    id: pool.id,
    label: pool.label,
    created_at: iso(pool.createdAt),
    last_updated: iso(pool.updatedAt),
    face_count: size,
    settings: pool.settings,
    decision: {
      threshold: Number(policy.threshold.toFixed(4)),
      source: policy.source,
      target_fpir: policy.targetFpir,
      expected_fpir: Number(policy.expectedFpir.toPrecision(3)),
      expected_fnir: Number(policy.expectedFnir.toPrecision(3)),
      top_k: topK,
      model_set_id: modelSetId,
      calibration_dataset: calibrationDataset,
    },
  };
}

/** The items of GET /pools */
export const poolSummaryJson = (p: PoolRecord) => ({ id: p.id, label: p.label, created_at: iso(p.createdAt) });

/** SearchResultSchema */
export function searchResultJson({ pool, policy, modelSetId, candidates, selected }: ImageSearch) {
  return {
    pool_id: pool.id,
    face_count: policy.poolSize,
    threshold: Number(policy.threshold.toFixed(4)),
    model_set_id: modelSetId,
    candidates: candidates.map((c) => ({
      applicant_id: c.applicantId,
      face_id: c.faceId,
      // Rounded: fine-grained scores help an attacker reconstruct faces from a black box.
      similarity: Math.round(c.similarity * 100) / 100,
      match: c.similarity >= policy.threshold,
    })),
    face_selection: faceSelectionJson(selected),
  };
}

/** pageOf(...) */
export function pageJson<T, J>(page: Page<T>, item: (t: T) => J) {
  return { items: page.items.map(item), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
}

/**
 * The pool service as the routes speak it: the same calls, answering the JSON of the schemas. The routes stay
 * one line each; the mapping lives here, beside the schemas it must match.
 */
export class PoolApi {
  constructor(private readonly pools: PoolService) {}

  async createApplicant(appId: string, face?: FaceInput) {
    const view = await this.pools.createApplicant(appId, face);
    return applicantJson(view, view.selected);
  }
  async listApplicants(appId: string, cursor?: string, limit?: number) {
    return pageJson(await this.pools.listApplicants(appId, cursor, limit), (a) => applicantJson(a));
  }
  async getApplicant(appId: string, id: string) {
    return applicantJson(await this.pools.getApplicant(appId, id));
  }
  getFace(appId: string, applicantId: string, faceId: string) {
    return this.pools.getFace(appId, applicantId, faceId);
  }
  async addFace(appId: string, applicantId: string, input: FaceInput) {
    const { face, selected } = await this.pools.addFace(appId, applicantId, input);
    return { id: face.id, face_selection: faceSelectionJson(selected) };
  }
  deleteApplicant(appId: string, id: string) {
    return this.pools.deleteApplicant(appId, id);
  }
  deleteFace(appId: string, applicantId: string, faceId: string) {
    return this.pools.deleteFace(appId, applicantId, faceId);
  }
  async createPool(appId: string, label: string, settings?: PoolSettings) {
    const pool = await this.pools.createPool(appId, label, settings);
    return { id: pool.id, label: pool.label };
  }
  async listPools(appId: string, cursor?: string, limit?: number) {
    return pageJson(await this.pools.listPools(appId, cursor, limit), poolSummaryJson);
  }
  async getPool(appId: string, id: string) {
    return poolJson(await this.pools.getPool(appId, id));
  }
  async updatePool(appId: string, id: string, settings: PoolSettings, label?: string) {
    return poolJson(await this.pools.updatePool(appId, id, settings, label));
  }
  deletePool(appId: string, id: string) {
    return this.pools.deletePool(appId, id);
  }
  addMember(appId: string, poolId: string, applicantId: string) {
    return this.pools.addMember(appId, poolId, applicantId);
  }
  removeMember(appId: string, poolId: string, applicantId: string) {
    return this.pools.removeMember(appId, poolId, applicantId);
  }
  async listMembers(appId: string, poolId: string, cursor?: string, limit?: number) {
    return pageJson(await this.pools.listMembers(appId, poolId, cursor, limit), (a) => applicantJson(a));
  }
  async searchImage(appId: string, poolId: string, data: string, topK?: number) {
    return searchResultJson(await this.pools.searchImage(appId, poolId, data, topK));
  }
}
