import { Type } from '@sinclair/typebox';
import { Loose } from './common.schema.js';

// GET /supported-documents (supported-documents.routes.ts).

export const SupportedDocumentsQuery = Type.Object(
  { includeNonLatin: Type.Optional(Type.Boolean()) },
  { additionalProperties: true },
);
export const SupportedDocumentsResponse = Type.Object({
  supported_countries: Type.Array(
    Loose({
      code: Type.String(),
      supported_documents: Type.Array(Loose({ type: Type.String(), is_strictly_latin: Type.Boolean() })),
    }),
  ),
});
