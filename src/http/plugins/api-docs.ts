import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

// The browsable API documentation shares its origin with the capture page, whose URL carries a client token:
// a page on this origin that could be framed or run foreign script would be a way to it. So the UI gets a CSP
// as strict as it allows (its own scripts only; it sets inline style attributes and data: icons), no framing,
// no referrer.
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const DOCS_HEADERS: Record<string, string> = {
  'content-security-policy': DOCS_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Swagger UI at `<prefix>/docs`, every response of it (page, assets, redirects) with the headers above. */
export async function registerApiDocs(api: FastifyInstance, prefix: string): Promise<void> {
  await api.register(async (docs) => {
    docs.addHook('onSend', async (_request, reply, payload) => {
      void reply.headers(DOCS_HEADERS);
      return payload;
    });
    // indexPrefix: the page links its assets by absolute path, which must include the API's mount point.
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      indexPrefix: prefix,
      uiConfig: { url: `${prefix}/openapi.json` },
    });
  });
}
