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
  op: 'add' | 'remove' | 'drop';
  faceKey: number | null;
  /** Present for 'add' when the face still exists. */
  embedding: Float32Array | null;
}
