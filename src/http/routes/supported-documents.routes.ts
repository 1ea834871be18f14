import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { supportedDocuments } from '../../domain/documents/supported-documents.js';
import { Loose } from '../schemas/common.schema.js';

export const supportedDocumentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/supported-documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'List supported countries and document types (no authentication)',
        querystring: Type.Object({ includeNonLatin: Type.Optional(Type.Boolean()) }, { additionalProperties: true }),
        response: {
          200: Type.Object({
            supported_countries: Type.Array(
              Loose({ code: Type.String(), supported_documents: Type.Array(Loose({ type: Type.String(), is_strictly_latin: Type.Boolean() })) }),
            ),
          }),
        },
      },
    },
    async (request) => ({ supported_countries: supportedDocuments(request.query.includeNonLatin ?? false) }),
  );
};
