import type { ApplicantRecord, FaceRecord, IndexChange, Page, PoolRecord, PoolSettings } from '../pools/pool.types.js';

/**
 * Applicants, their faces and pools. Every write that changes which faces a pool holds also appends to the
 * index change log in the same transaction, so every process can bring its in-memory index up to date.
 */
export interface MemberCursor {
  poolId: string;
  applicantId: string;
}

export interface MemberFace {
  poolId: string;
  applicantId: string;
  key: number;
  embedding: Float32Array;
  /** The pool's set when the row was read, which the embedding is from. */
  modelSetId: string;
}

export interface PoolRepository {
  createApplicant(applicant: ApplicantRecord): Promise<void>;
  getApplicant(appId: string, id: string): Promise<ApplicantRecord | null>;
  listApplicants(appId: string, cursor: string | undefined, limit: number): Promise<Page<ApplicantRecord>>;
  /** Deletes the applicant, its faces and memberships; returns the deleted faces' image keys. */
  deleteApplicant(appId: string, id: string, at: number): Promise<string[] | null>;

  /** `otherSets`: the face's embeddings under other model sets than its own (pools mid-migration search them). */
  addFace(face: Omit<FaceRecord, 'key'>, otherSets?: Readonly<Record<string, Float32Array>>): Promise<FaceRecord>;
  getFace(appId: string, applicantId: string, faceId: string): Promise<FaceRecord | null>;
  listFaces(applicantId: string): Promise<FaceRecord[]>;
  deleteFace(appId: string, applicantId: string, faceId: string, at: number): Promise<FaceRecord | null>;

  createPool(pool: PoolRecord): Promise<void>;
  getPool(appId: string, id: string): Promise<PoolRecord | null>;
  /** The model set a pool is on (any app), null when there is no such pool. */
  poolModelSet(poolId: string): Promise<string | null>;
  updatePoolSettings(appId: string, id: string, settings: PoolSettings, at: number): Promise<void>;
  listPools(appId: string, cursor: string | undefined, limit: number): Promise<Page<PoolRecord>>;
  deletePool(appId: string, id: string, at: number): Promise<boolean>;
  poolsOfApplicant(applicantId: string): Promise<{ id: string; label: string }[]>;
  /** False when the applicant was already a member. */
  addMember(poolId: string, applicantId: string, at: number): Promise<boolean>;
  removeMember(poolId: string, applicantId: string, at: number): Promise<boolean>;
  listMembers(poolId: string, cursor: string | undefined, limit: number): Promise<Page<ApplicantRecord>>;
  poolFaceCount(poolId: string): Promise<number>;

  /**
   * For index start-up: the faces of the next `members` pool members after `after` (every pool; ordered by
   * pool, applicant, face key), and the cursor of the following page (null after the last). Paging by member
   * follows the membership table's primary key, so every page costs the same however large the pools are.
   * Each face comes with its embedding under its pool's model set; a face with none there is left out.
   */
  memberFaces(after: MemberCursor | null, members: number): Promise<{ rows: MemberFace[]; next: MemberCursor | null }>;
  latestChangeSeq(): Promise<number>;
  oldestChangeSeq(): Promise<number>;
  changesSince(seq: number, limit: number): Promise<IndexChange[]>;
  pruneChanges(before: number): Promise<void>;
  /** Of `keys`, the faces that are still members of the pool, with their ids. */
  resolveMembers(poolId: string, keys: number[]): Promise<{ key: number; faceId: string; applicantId: string }[]>;
}
