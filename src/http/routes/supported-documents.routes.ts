import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { supportedDocuments } from '../../domain/documents/supported-documents.js';
import { SupportedDocumentsQuery, SupportedDocumentsResponse } from '../schemas/supported-documents.schema.js';

export const supportedDocumentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/supported-documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'List supported countries and document types (no authentication)',
        querystring: SupportedDocumentsQuery,
        response: { 200: SupportedDocumentsResponse },
      },
    },
    async (request) => ({ supported_countries: supportedDocuments(request.query.includeNonLatin ?? false) }),
  );
};
