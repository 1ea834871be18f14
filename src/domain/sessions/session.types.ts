import type { DocumentFilter } from './session-spec.schema.js';
import type { SessionSpec } from './session-spec.types.js';

// Records as the domain sees them (the repositories map rows to these).

export type RequirementType = 'ID_DOCUMENT' | 'SUPPLEMENTARY_DOCUMENT' | 'LIVENESS' | 'FACE_CAPTURE';

export interface Requirement {
  id: string;
  type: RequirementType;
  filter?: DocumentFilter;
  document_types?: string[];
  country_codes?: string[];
  objective?: { type: string };
  liveness_type?: 'STATIC' | 'ZOOM';
  max_retries?: number;
}

/** See lifecycle/session-states.ts for the moves between them; AWAITING_REVIEW reads as ONGOING on the API. */
export type SessionState = 'ONGOING' | 'AWAITING_REVIEW' | 'COMPLETED' | 'EXPIRED';

export interface SessionRecord {
  id: string;
  appId: string;
  state: SessionState;
  spec: SessionSpec;
  requirements: Requirement[];
  clientToken: string;
  tokenExpiresAt: number;
  resourcesExpireAt: number;
  biometricConsentAt: number | null;
  finishedAt: number | null;
  completedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** AWAITING_REVIEW (checks only): the automated report is saved and a person must decide; it reads as CREATED. */
export type WorkState = 'CREATED' | 'AWAITING_REVIEW' | 'DONE';

export interface Recommendation {
  value: 'APPROVE' | 'REJECT' | 'NOT_AVAILABLE' | 'PROGRESS';
  reason?: string;
  recovery_suggestion?: string;
}

export interface BreakdownItem {
  sub_check: string;
  result: 'PASS' | 'FAIL';
  process: 'AUTOMATED' | 'EXPERT_REVIEW';
  details: { name: string; value: string }[];
}

export interface Report {
  recommendation: Recommendation;
  breakdown: BreakdownItem[];
}

export interface MediaRef {
  id: string;
  type: string;
}

export interface CheckRecord {
  id: string;
  sessionId: string;
  type: string;
  state: WorkState;
  config: Record<string, unknown>;
  report: Report | null;
  resourcesUsed: string[];
  generatedMedia: MediaRef[];
  createdAt: number;
  updatedAt: number;
}

export interface TaskRecord {
  id: string;
  sessionId: string;
  resourceId: string;
  type: string;
  state: WorkState;
  config: Record<string, unknown>;
  recommendation: Recommendation | null;
  generatedChecks: { id: string; type: string }[];
  generatedMedia: MediaRef[];
  createdAt: number;
  updatedAt: number;
}

export type ResourceSource = 'END_USER' | 'RELYING_BUSINESS';

export interface DocumentPage {
  capture_method: 'CAMERA' | 'UPLOAD';
  media_id: string;
  frames: string[];
}

export interface ResourceData {
  // ID_DOCUMENT / SUPPLEMENTARY_DOCUMENT
  document_type?: string;
  issuing_country?: string;
  pages?: DocumentPage[];
  document_fields_media_id?: string;
  document_id_photo_media_id?: string;
  /** Yoti's expanded document fields (create_expanded_document_fields): each field with its source. */
  expanded_document_fields_media_id?: string;
  /** The client said every page is captured. */
  complete?: boolean;
  /** The document reading (MRZ, quality), done once and shared by the text extraction task and the checks. */
  reading?: unknown;
  /** Captures of this document whose reading failed and were taken again, per attempts category (text-attempts.ts). */
  text_attempts?: Record<string, number>;
  // LIVENESS / FACE_CAPTURE
  liveness_type?: 'STATIC' | 'ZOOM';
  image_media_id?: string;
  /** How the capture was made: a liveness capture is always CAMERA (through a challenge). */
  capture_method?: 'CAMERA' | 'UPLOAD';
  /** LIVENESS: the challenge the capture answered. */
  challenge_id?: string;
  /** LIVENESS STATIC: every frame of the burst in time order (the still included), with its declared time. */
  burst?: { media_id: string; offset_ms: number }[];
  /** Liveness upload attempts used. */
  attempts?: number;
  /** LIVENESS ZOOM: one attempt's audit frames (one per step met), and the server's decision on it. */
  zoom?: ZoomAttempt;
  /** FACE_CAPTURE from an applicant's face instead of an upload. */
  applicant_id?: string;
  applicant_face_id?: string;
}

/** A decided ZOOM attempt (domain/liveness/active/liveness-decision.ts made the decision at capture time). */
export interface ZoomAttempt {
  result: 'APPROVE' | 'REJECT';
  /** The audit frames, in step order: the frame that met each step. */
  frames: string[];
  /** The JSON evidence bundle (per-frame pose, identity, timing and every sub-check's measurements). */
  evidence_media_id: string;
  sub_checks: {
    name: string;
    pass: boolean;
    advisory?: boolean;
    reason: string;
    details: { name: string; value: string }[];
  }[];
}

export interface ResourceRecord {
  id: string;
  sessionId: string;
  type: RequirementType;
  requirementId: string | null;
  source: ResourceSource;
  data: ResourceData;
  createdAt: number;
  updatedAt: number;
}

export interface MediaRecord {
  id: string;
  sessionId: string;
  appId: string;
  type: 'IMAGE' | 'JSON' | 'BINARY' | 'PDF';
  contentType: string;
  storageKey: string;
  size: number;
  sha256: string;
  createdAt: number;
}

export interface DeviceEvent {
  id: string;
  sessionId: string;
  event: string;
  device: Record<string, string>;
  createdAt: number;
}

export interface SessionBundle {
  session: SessionRecord;
  checks: CheckRecord[];
  tasks: TaskRecord[];
  resources: ResourceRecord[];
  media: MediaRecord[];
}
