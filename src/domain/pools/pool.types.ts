import type { FaceQuality } from '../ports/face-engine.port.js';

export interface ApplicantRecord {
  id: string;
  appId: string;
  createdAt: number;
  updatedAt: number;
}

export type FaceSource = { type: 'IMAGE' } | { type: 'SESSION'; session_id: string; media_id: string };

export interface FaceRecord {
  /** Integer key used by the in-memory index. */
  key: number;
  id: string;
  applicantId: string;
  appId: string;
  modelSetId: string;
  embedding: Float32Array;
  quality: FaceQuality;
  imageKey: string;
  contentType: string;
  source: FaceSource;
  createdAt: number;
}

export interface PoolSettings {
  /** Operator-pinned similarity threshold; overrides the derived one. */
  threshold?: number;
  /** Target false-positive identification rate for a stranger searched against the whole pool. */
  target_fpir?: number;
  /** Candidates returned by a search. */
  top_k?: number;
}

export interface PoolRecord {
  id: string;
  appId: string;
  label: string;
  settings: PoolSettings;
  /** The model set the pool is searched on: its faces' embeddings and the probe's must come from it. */
  modelSetId: string;
  createdAt: number;
  updatedAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface IndexChange {
  seq: number;
  poolId: string;
  /** 'switch': the pool moved to another model set; its index is reloaded from the database. */
  op: 'add' | 'remove' | 'drop' | 'switch';
  faceKey: number | null;
  /** Present for 'add' when the face still exists and has an embedding under the pool's current set. */
  embedding: Float32Array | null;
  /** The pool's set when the change was read, which `embedding` is from (null when the pool is gone). */
  modelSetId: string | null;
}
