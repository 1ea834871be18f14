import { Type } from '@sinclair/typebox';
import { Id, Loose } from './common.schema.js';

export const FaceInputSchema = Type.Object(
  {
    data: Type.Optional(Type.String({ minLength: 1, description: 'Base64 image (JPEG, PNG or WebP)' })),
    source: Type.Optional(
      Type.Object(
        { session_id: Id(), media_id: Id() },
        { description: 'An image media of an earlier session of this app' },
      ),
    ),
  },
  { description: 'Exactly one of data or source' },
);

const BoxSchema = Type.Object({ x: Type.Number(), y: Type.Number(), width: Type.Number(), height: Type.Number() });

export const FaceSelectionSchema = Type.Object(
  {
    used_face_box: BoxSchema,
    other_face_count: Type.Integer({ description: 'Faces found besides the one used (at most 9 are analysed)' }),
    other_face_boxes: Type.Array(BoxSchema),
  },
  {
    description:
      'openidv extension: the face used from the image and the boxes (pixels of the upright image) of the other faces found. ' +
      'When several faces are found, the clearly main one is used; an image where none stands out is refused with MULTIPLE_FACES_DETECTED.',
  },
);

export const ApplicantSchema = Type.Object(
  {
    id: Type.String(),
    created_at: Type.String(),
    last_updated: Type.String(),
    faces: Loose({
      archetype_face: Type.Optional(Type.String()),
      faces: Type.Array(Loose({ id: Type.String(), created_at: Type.String(), model_set_id: Type.String() })),
    }),
    pools: Type.Array(Loose({ id: Type.String(), label: Type.String() })),
    face_selection: Type.Optional(FaceSelectionSchema),
  },
  { $id: 'Applicant', additionalProperties: true },
);

export const PoolSettingsSchema = Type.Object({
  threshold: Type.Optional(
    Type.Union([Type.Number({ minimum: -1, maximum: 1 }), Type.Null()], {
      description: 'Pinned similarity threshold; null unpins',
    }),
  ),
  target_fpir: Type.Optional(
    Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 0.5 }), Type.Null()], {
      description: 'Target false-positive identification rate (default 0.01)',
    }),
  ),
  top_k: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
});

export const PoolDetailSchema = Type.Object(
  {
    id: Type.String(),
    label: Type.String(),
    created_at: Type.String(),
    last_updated: Type.String(),
    face_count: Type.Integer(),
    settings: Loose({}),
    decision: Loose({
      threshold: Type.Number(),
      source: Type.String({ enum: ['pinned', 'derived'] }),
      target_fpir: Type.Number(),
      expected_fpir: Type.Number(),
      expected_fnir: Type.Number(),
      top_k: Type.Integer(),
    }),
  },
  { $id: 'PoolDetail', additionalProperties: true },
);

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Type.Optional(Type.String()) });

export const SearchResultSchema = Type.Object(
  {
    pool_id: Type.String(),
    face_count: Type.Integer(),
    threshold: Type.Number(),
    model_set_id: Type.String(),
    candidates: Type.Array(
      Type.Object({
        applicant_id: Type.String(),
        face_id: Type.String(),
        similarity: Type.Number({ description: 'Cosine similarity rounded to two decimals' }),
        match: Type.Boolean({ description: "Whether the candidate passes the pool's threshold" }),
      }),
    ),
    face_selection: FaceSelectionSchema,
  },
  { $id: 'PoolSearchResult' },
);

// Requests and answers of the pool and applicant routes (pools.routes.ts, applicants.routes.ts).

export const PoolParams = Type.Object({ poolId: Id() });
export const PoolMemberParams = Type.Object({ poolId: Id(), applicantId: Id() });
export const CreatePoolBody = Type.Composite([
  Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) }),
  PoolSettingsSchema,
]);
export const CreatePoolResponse = Type.Object({ id: Type.String(), label: Type.String() });
export const PoolListResponse = pageOf(
  Type.Object({ id: Type.String(), label: Type.String(), created_at: Type.String() }),
);
export const AddMemberBody = Type.Object({ applicant_id: Id() });
export const PoolSearchBody = Type.Object({
  image: Type.Object({ data: Type.String({ minLength: 1 }) }),
  top_k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const ApplicantParams = Type.Object({ applicantId: Id() });
export const ApplicantFaceParams = Type.Object({ applicantId: Id(), faceId: Id() });
export const ApplicantListResponse = pageOf(Type.Ref(ApplicantSchema));
export const CreateApplicantBody = Type.Optional(Type.Object({ face: Type.Optional(FaceInputSchema) }));
export const AddFaceBody = Type.Object({ face: FaceInputSchema });
export const AddFaceResponse = Type.Object({ id: Type.String(), face_selection: FaceSelectionSchema });
export const ApplicantFaceResponse = Type.Object({
  face: Type.Object({ id: Type.String(), data: Type.String(), content_type: Type.String() }),
});
