import type { NotificationsConfig, RequiredDocument, SdkConfig, SupportedTaskType } from './session-spec.schema.js';

// The stored specification's types, apart from the validator that makes them (it reads the check registry, whose
// definitions read these records: keeping the types here keeps the import graph free of cycles).

export interface RequestedCheck {
  /** A type of the check registry. */
  type: string;
  config: Record<string, unknown>;
}

export interface RequestedTask {
  type: SupportedTaskType;
  config: Record<string, unknown>;
}

/** The specification as stored: validated, defaults applied, times resolved. */
export interface SessionSpec {
  client_session_token_ttl: number;
  resources_ttl: number;
  user_tracking_id?: string;
  notifications?: NotificationsConfig;
  requested_checks: RequestedCheck[];
  requested_tasks: RequestedTask[];
  sdk_config: SdkConfig & { allowed_capture_methods: 'CAMERA' | 'CAMERA_AND_UPLOAD' };
  required_documents: RequiredDocument[];
  block_biometric_consent: boolean;
}
