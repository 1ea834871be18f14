import { Type } from '@sinclair/typebox';
import { Loose } from './common.schema.js';

const Media = Loose({ id: Type.String(), type: Type.String(), created: Type.String(), last_updated: Type.String() });
const WithMedia = Loose({ media: Type.Optional(Media) });
const Recommendation = Loose({
  value: Type.String(),
  reason: Type.Optional(Type.String()),
  recovery_suggestion: Type.Optional(Type.String()),
});
const Breakdown = Loose({
  sub_check: Type.String(),
  result: Type.String(),
  process: Type.Optional(Type.String()),
  details: Type.Array(Loose({ name: Type.String(), value: Type.String() })),
});
const Task = Loose({
  type: Type.String(),
  id: Type.String(),
  state: Type.String(),
  created: Type.String(),
  last_updated: Type.String(),
  generated_checks: Type.Array(Loose({ id: Type.String(), type: Type.String() })),
  generated_media: Type.Array(Loose({ id: Type.String(), type: Type.String() })),
  recommendation: Type.Optional(Recommendation),
});
const Resource = Loose({ id: Type.String(), source: Loose({ type: Type.String() }), tasks: Type.Array(Task) });
const Document = Type.Intersect([
  Resource,
  Loose({
    document_type: Type.Optional(Type.String()),
    issuing_country: Type.Optional(Type.String()),
    pages: Type.Array(
      Loose({ capture_method: Type.String(), media: Type.Optional(Media), frames: Type.Array(WithMedia) }),
    ),
    document_fields: Type.Optional(WithMedia),
    document_id_photo: Type.Optional(WithMedia),
    expanded_document_fields: Type.Optional(WithMedia),
    file: Type.Optional(WithMedia),
  }),
]);

export const CheckSchema = Loose(
  {
    type: Type.String(),
    id: Type.String(),
    state: Type.String({ description: 'CREATED until the check has run, then DONE' }),
    resources_used: Type.Array(Type.String()),
    generated_media: Type.Array(Loose({ id: Type.String(), type: Type.String() })),
    report: Type.Optional(Loose({ recommendation: Recommendation, breakdown: Type.Array(Breakdown) })),
    created: Type.String(),
    last_updated: Type.String(),
    config: Type.Optional(Loose({})),
  },
  'A requested check and, once DONE, its report',
);

export const SessionResultSchema = Type.Object(
  {
    client_session_token_ttl: Type.Integer({ description: 'Seconds the client token remains valid' }),
    session_id: Type.String(),
    user_tracking_id: Type.Optional(Type.String()),
    state: Type.String({ enum: ['ONGOING', 'COMPLETED', 'EXPIRED'] }),
    client_session_token: Type.Optional(Type.String()),
    biometric_consent: Type.Optional(Type.String({ format: 'date-time' })),
    resources: Loose({
      id_documents: Type.Array(Document),
      supplementary_documents: Type.Array(Document),
      liveness_capture: Type.Array(
        Type.Intersect([
          Resource,
          Loose({
            liveness_type: Type.String(),
            capture_method: Type.Optional(
              Type.String({ description: 'openidv: CAMERA (a liveness capture comes only from the live camera)' }),
            ),
            image: Type.Optional(WithMedia),
            frames: Type.Optional(
              Type.Array(Loose({ media: Type.Optional(Media) }), {
                description:
                  'ZOOM: the audit frames, one per step met (the frontal CENTER frame first). STATIC (openidv): the other frames of the burst',
              }),
            ),
          }),
        ]),
      ),
      face_capture: Type.Array(Type.Intersect([Resource, Loose({ image: Type.Optional(WithMedia) })])),
      applicant_profiles: Type.Array(Loose({})),
    }),
    checks: Type.Array(CheckSchema),
  },
  { $id: 'SessionResult', additionalProperties: true },
);

export const CreateSessionResponseSchema = Type.Object(
  {
    client_session_token_ttl: Type.Integer(),
    client_session_token: Type.String(),
    session_id: Type.String(),
  },
  { $id: 'CreateSessionResult' },
);

export const SessionConfigurationSchema = Type.Object(
  {
    client_session_token_ttl: Type.Integer(),
    session_id: Type.String(),
    requested_checks: Type.Array(Type.String()),
    capture: Loose({
      biometric_consent: Type.String(),
      required_resources: Type.Array(
        Loose({ type: Type.String(), id: Type.String(), state: Type.String({ enum: ['REQUIRED', 'COMPLETED'] }) }),
      ),
    }),
  },
  { $id: 'SessionConfiguration', additionalProperties: true },
);

export const TrackedDevicesSchema = Type.Array(
  Loose({ event: Type.String(), created: Type.String(), device: Loose({}) }),
  { $id: 'TrackedDevices' },
);

export const NotificationLogResponse = Type.Array(
  Type.Object({
    id: Type.String({ description: 'The webhook-id header of the delivery (stable across retries)' }),
    topic: Type.String(),
    state: Type.String({ enum: ['pending', 'delivered', 'failed'] }),
    attempts: Type.Integer(),
    last_status: Type.Optional(Type.Integer()),
    last_error: Type.Optional(Type.String()),
    created: Type.String(),
    delivered: Type.Optional(Type.String()),
  }),
);
