import type { Generated } from 'kysely';

// Row types of the database, shared by the SQLite and PostgreSQL adapters (same columns, dialect-specific DDL).
// Times are epoch milliseconds; JSON columns hold text.

export interface AppsTable {
  sdk_id: string;
  name: string;
  public_key_pem: string;
  webhook_secret: string;
  created_at: number;
  revoked_at: number | null;
  /** NULL = server default, '' = none, else space-separated origins. */
  frame_ancestors: string | null;
}

export interface SessionsTable {
  id: string;
  app_id: string;
  state: string;
  spec: string;
  requirements: string;
  user_tracking_id: string | null;
  client_token: string;
  token_expires_at: number;
  resources_expire_at: number;
  biometric_consent_at: number | null;
  finished_at: number | null;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
  /** Written with every check (session-outcome.ts): PENDING, APPROVE, REJECT, NOT_AVAILABLE; null with no checks. */
  outcome: string | null;
}

export interface ChecksTable {
  id: string;
  session_id: string;
  type: string;
  state: string;
  config: string;
  report: string | null;
  resources_used: string;
  generated_media: string;
  created_at: number;
  updated_at: number;
}

export interface TasksTable {
  id: string;
  session_id: string;
  resource_id: string;
  type: string;
  state: string;
  config: string;
  recommendation: string | null;
  generated_checks: string;
  generated_media: string;
  created_at: number;
  updated_at: number;
}

export interface ResourcesTable {
  id: string;
  session_id: string;
  type: string;
  requirement_id: string | null;
  source: string;
  data: string;
  created_at: number;
  updated_at: number;
}

export interface MediaTable {
  id: string;
  session_id: string;
  app_id: string;
  type: string;
  content_type: string;
  storage_key: string;
  size: number;
  sha256: string;
  created_at: number;
}

export interface DeviceEventsTable {
  id: string;
  session_id: string;
  event: string;
  device: string;
  created_at: number;
}

export interface NoncesTable {
  sdk_id: string;
  nonce: string;
  seen_at: number;
}

export interface JobsTable {
  id: string;
  name: string;
  payload: string;
  state: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  dedupe_key: string | null;
  session_id: string | null;
  request_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface CaptureChallengesTable {
  id: string;
  session_id: string;
  expires_at: number;
  used_at: number | null;
  media_sha256: string | null;
  created_at: number;
  requirement_id: string | null;
  liveness_type: string | null;
  nonce: string | null;
  steps: string | null;
  revealed: Generated<number>;
}

export interface LivenessFramesTable {
  challenge_id: string;
  session_id: string;
  idx: number;
  received_at: number;
  analysis: string;
}

export interface LivenessFrameLedgerTable {
  app_id: string;
  digest: string;
  phash: string;
  w0: number | null;
  w1: number | null;
  w2: number | null;
  w3: number | null;
  w4: number | null;
  w5: number | null;
  w6: number | null;
  w7: number | null;
  /** Null on rows recorded before migration 0011. */
  capture_id: string | null;
  session_id: string | null;
  frame_index: number | null;
  created_at: number;
}

export interface HandoffsTable {
  id: string;
  session_id: string;
  claim_hash: string;
  watch_hash: string;
  expires_at: number;
  claimed_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface FaceAnalysesTable {
  media_id: string;
  session_id: string;
  model_set_id: string;
  result: string;
  embeddings: Buffer | null;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  session_id: string;
  topic: string;
  payload: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface ApplicantsTable {
  id: string;
  app_id: string;
  created_at: number;
  updated_at: number;
}

export interface FacesTable {
  key: Generated<number>;
  id: string;
  applicant_id: string;
  app_id: string;
  model_set_id: string;
  embedding: Buffer;
  quality: string;
  image_key: string;
  content_type: string;
  source: string;
  created_at: number;
}

export interface PoolsTable {
  id: string;
  app_id: string;
  label: string;
  settings: string;
  /** The model set the pool's index is on (defaults to the shipped one). */
  model_set_id: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface ModelSetsTable {
  id: string;
  embedder_file: string;
  embedder_sha256: string;
  input_size: number;
  template: string;
  dimensions: number;
  calibration: string | null;
  state: string;
  created_at: number;
  updated_at: number;
}

export interface FaceEmbeddingsTable {
  face_key: number;
  model_set_id: string;
  embedding: Buffer;
  created_at: number;
}

export interface PoolMembersTable {
  pool_id: string;
  applicant_id: string;
  added_at: number;
}

export interface FaceChangesTable {
  seq: Generated<number>;
  pool_id: string;
  face_key: number | null;
  op: string;
  at: number;
}

export interface ConsoleUsersTable {
  id: string;
  username: string;
  role: string;
  password_hash: string | null;
  oidc_subject: string | null;
  all_apps: number;
  failed_attempts: number;
  locked_until: number | null;
  must_change_password: number;
  disabled_at: number | null;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ConsoleUserAppsTable {
  user_id: string;
  app_id: string;
}

export interface ConsoleSessionsTable {
  token_hash: string;
  user_id: string | null;
  csrf_token: string;
  data: string;
  ip: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface ReviewItemsTable {
  id: string;
  session_id: string;
  app_id: string;
  check_id: string;
  check_type: string;
  reason: string;
  state: string;
  first_decision: string | null;
  first_reason: string | null;
  first_by: string | null;
  first_at: number | null;
  decision: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: number | null;
  applied_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  at: number;
  actor: string;
  action: string;
  app_id: string | null;
  session_id: string | null;
  target: string | null;
  detail: string | null;
  ip: string | null;
  expires_at: number | null;
}

export interface SessionUsageTable {
  session_id: string;
  counter: string;
  amount: number;
}

export interface DB {
  apps: AppsTable;
  sessions: SessionsTable;
  checks: ChecksTable;
  tasks: TasksTable;
  resources: ResourcesTable;
  media: MediaTable;
  device_events: DeviceEventsTable;
  session_usage: SessionUsageTable;
  nonces: NoncesTable;
  jobs: JobsTable;
  capture_challenges: CaptureChallengesTable;
  liveness_frames: LivenessFramesTable;
  liveness_frame_ledger: LivenessFrameLedgerTable;
  handoffs: HandoffsTable;
  face_analyses: FaceAnalysesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  applicants: ApplicantsTable;
  faces: FacesTable;
  pools: PoolsTable;
  pool_members: PoolMembersTable;
  face_changes: FaceChangesTable;
  model_sets: ModelSetsTable;
  face_embeddings: FaceEmbeddingsTable;
  console_users: ConsoleUsersTable;
  console_user_apps: ConsoleUserAppsTable;
  console_sessions: ConsoleSessionsTable;
  review_items: ReviewItemsTable;
  audit_events: AuditEventsTable;
}
