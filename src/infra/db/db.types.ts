// Row types of the database, shared by the SQLite and PostgreSQL adapters (same columns, dialect-specific DDL).
// Times are epoch milliseconds; JSON columns hold text.

export interface AppsTable {
  sdk_id: string;
  name: string;
  public_key_pem: string;
  webhook_secret: string;
  created_at: number;
  revoked_at: number | null;
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

export interface DB {
  apps: AppsTable;
  sessions: SessionsTable;
  checks: ChecksTable;
  tasks: TasksTable;
  resources: ResourcesTable;
  media: MediaTable;
  device_events: DeviceEventsTable;
  nonces: NoncesTable;
}
