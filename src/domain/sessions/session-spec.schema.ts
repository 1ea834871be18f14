import { type Static, Type } from '@sinclair/typebox';
import { ManualCheck } from '../checks/manual-check.schema.js';

// The session specification of `POST /sessions` (spec 3.3). Unknown keys of the envelope are tolerated but never
// stored (Yoti's SDKs may add fields); known keys are typed and their enums enforced. Per-check and per-task
// configs are validated by type in session-spec.validator.ts, where unknown keys are refused.

const Str = (opts = {}) => Type.String({ maxLength: 2048, ...opts });
const Url = () => Type.String({ format: 'uri', maxLength: 2048 });
const Colour = () => Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' });
const Country = () => Type.String({ pattern: '^[A-Z]{3}$' });

export const NOTIFICATION_TOPICS = [
  'RESOURCE_UPDATE',
  'TASK_COMPLETION',
  'CHECK_COMPLETION',
  'SESSION_COMPLETION',
  'CLIENT_SESSION_TOKEN_DELETED',
  'NEW_PDF_SUPPLIED',
  'INSTRUCTIONS_EMAIL_REQUESTED',
  'THANK_YOU_EMAIL_REQUESTED',
  'FIRST_BRANCH_VISIT',
] as const;

// The checks openidv performs are listed in src/domain/checks/registry.ts, each defined in checks/definitions/.
/** Known to Yoti's API but not performed by openidv: refused with UNSUPPORTED_CHECK, never silently ignored. */
export const UNSUPPORTED_CHECKS = [
  'ID_DOCUMENT_COMPARISON',
  'THIRD_PARTY_IDENTITY',
  'THIRD_PARTY_IDENTITY_FRAUD_1',
  'WATCHLIST_SCREENING',
  'WATCHLIST_ADVANCED_CA',
] as const;
export const SUPPORTED_TASKS = ['ID_DOCUMENT_TEXT_DATA_EXTRACTION'] as const;
export const UNSUPPORTED_TASKS = ['SUPPLEMENTARY_DOCUMENT_TEXT_DATA_EXTRACTION', 'VERIFY_SHARE_CODE_TASK'] as const;

export const DOCUMENT_TYPES = ['PASSPORT', 'DRIVING_LICENCE', 'NATIONAL_ID', 'RESIDENCE_PERMIT', 'STATE_ID'] as const;
export const SUPPLEMENTARY_DOCUMENT_TYPES = [
  'UTILITY_BILL',
  'BANK_STATEMENT',
  'COUNCIL_TAX_BILL',
  'PHONE_BILL',
] as const;

const Inclusion = Type.Union([Type.Literal('WHITELIST'), Type.Literal('BLACKLIST')]);

export const NotificationsSchema = Type.Object({
  endpoint: Url(),
  topics: Type.Optional(Type.Array(Type.Union(NOTIFICATION_TOPICS.map((t) => Type.Literal(t))), { maxItems: 20 })),
  auth_token: Type.Optional(Str()),
  auth_type: Type.Optional(Type.Union([Type.Literal('BASIC'), Type.Literal('BEARER')])),
});

export const SdkConfigSchema = Type.Object({
  allowed_capture_methods: Type.Optional(Type.Union([Type.Literal('CAMERA'), Type.Literal('CAMERA_AND_UPLOAD')])),
  primary_colour: Type.Optional(Colour()),
  secondary_colour: Type.Optional(Colour()),
  font_colour: Type.Optional(Colour()),
  locale: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$' })),
  preset_issuing_country: Type.Optional(Country()),
  success_url: Type.Optional(Url()),
  error_url: Type.Optional(Url()),
  privacy_policy_url: Type.Optional(Url()),
  biometric_consent_flow: Type.Optional(Type.Union([Type.Literal('EARLY'), Type.Literal('JUST_IN_TIME')])),
  allow_handoff: Type.Optional(Type.Boolean()),
  attempts_configuration: Type.Optional(
    Type.Object({
      ID_DOCUMENT_TEXT_DATA_EXTRACTION: Type.Optional(
        Type.Record(Type.String({ maxLength: 64 }), Type.Integer({ minimum: 1, maximum: 10 }), { maxProperties: 10 }),
      ),
    }),
  ),
  brand_id: Type.Optional(Str()),
  suppressed_screens: Type.Optional(Type.Array(Str(), { maxItems: 50 })),
});

const DocumentRestriction = Type.Object({
  document_types: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
  country_codes: Type.Optional(Type.Array(Country(), { maxItems: 300 })),
});

export const DocumentFilterSchema = Type.Object({
  type: Type.Union([Type.Literal('DOCUMENT_RESTRICTIONS'), Type.Literal('ORTHOGONAL_RESTRICTIONS')]),
  inclusion: Type.Optional(Inclusion),
  documents: Type.Optional(Type.Array(DocumentRestriction, { maxItems: 50 })),
  country_restriction: Type.Optional(
    Type.Object({ inclusion: Inclusion, country_codes: Type.Array(Country(), { maxItems: 300 }) }),
  ),
  type_restriction: Type.Optional(
    Type.Object({ inclusion: Inclusion, document_types: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 }) }),
  ),
  allow_expired_documents: Type.Optional(Type.Boolean()),
  allow_non_latin_documents: Type.Optional(Type.Boolean()),
});

export const RequiredDocumentSchema = Type.Object({
  type: Type.Union([Type.Literal('ID_DOCUMENT'), Type.Literal('SUPPLEMENTARY_DOCUMENT')]),
  filter: Type.Optional(DocumentFilterSchema),
  objective: Type.Optional(Type.Object({ type: Type.Literal('PROOF_OF_ADDRESS') })),
  document_types: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
  country_codes: Type.Optional(Type.Array(Country(), { maxItems: 300 })),
});

const RequestedItem = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64 }),
  config: Type.Optional(Type.Object({})),
});

export const SessionSpecSchema = Type.Object(
  {
    client_session_token_ttl: Type.Optional(Type.Integer()),
    session_deadline: Type.Optional(Type.String({ format: 'date-time' })),
    resources_ttl: Type.Optional(Type.Integer()),
    user_tracking_id: Type.Optional(Type.String({ maxLength: 255 })),
    notifications: Type.Optional(NotificationsSchema),
    requested_checks: Type.Optional(Type.Array(RequestedItem, { maxItems: 20 })),
    requested_tasks: Type.Optional(Type.Array(RequestedItem, { maxItems: 20 })),
    sdk_config: Type.Optional(SdkConfigSchema),
    required_documents: Type.Optional(Type.Array(RequiredDocumentSchema, { maxItems: 10 })),
    block_biometric_consent: Type.Optional(Type.Boolean()),
    identity_profile_requirements: Type.Optional(Type.Object({})),
    advanced_identity_profile_requirements: Type.Optional(Type.Object({})),
    subject: Type.Optional(Type.Object({})),
  },
  { $id: 'SessionSpecification', description: 'Session specification (Yoti IDV)' },
);

export type SessionSpecInput = Static<typeof SessionSpecSchema>;

// Per-type configs are validated after the envelope: every key an official SDK (Node, Java, PHP, .NET, Python, Go)
// sends for the type. A key listed is validated and stored (and echoed in the session result); other keys are refused.
// Check configs live in each check's definition (src/domain/checks/definitions/).
export const TaskConfigSchemas = {
  ID_DOCUMENT_TEXT_DATA_EXTRACTION: Type.Object({
    manual_check: Type.Optional(ManualCheck),
    chip_data: Type.Optional(Type.Union([Type.Literal('DESIRED'), Type.Literal('IGNORE')])),
    create_expanded_document_fields: Type.Optional(Type.Boolean()),
  }),
} as const;

export type SupportedTaskType = (typeof SUPPORTED_TASKS)[number];
export type NotificationsConfig = Static<typeof NotificationsSchema>;
export type SdkConfig = Static<typeof SdkConfigSchema>;
export type RequiredDocument = Static<typeof RequiredDocumentSchema>;
export type DocumentFilter = Static<typeof DocumentFilterSchema>;
