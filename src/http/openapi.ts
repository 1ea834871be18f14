import type { SwaggerOptions } from '@fastify/swagger';
import { MULTIPART_BODIES, routeKey, UNSCHEMED_ROUTES } from './openapi-extras.js';

export function openApiOptions(prefix: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'openidv',
        version: '0.1.0',
        description:
          'Self-hosted identity verification speaking the Yoti IDV API. Paths marked "openidv extension" are not part of ' +
          "Yoti's documented API. Signed requests carry `sdkId`, `nonce` and `timestamp` query parameters and an " +
          '`X-Yoti-Auth-Digest` header: base64 RSA-SHA256 over `METHOD&<path and query after ' +
          prefix +
          '>[&base64(body)]`.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          YotiSignature: { type: 'apiKey', in: 'header', name: 'X-Yoti-Auth-Digest' },
          SdkId: { type: 'apiKey', in: 'query', name: 'sdkId' },
          ClientSessionToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Client-Session-Token',
            description: 'The client_session_token of the session (or Authorization: Bearer)',
          },
        },
      },
    },
    // Only the document changes here, never validation: the multipart bodies stay parsed by hand.
    transform: ({ schema, url, route }) => {
      const key = routeKey(route.method, url);
      const body = MULTIPART_BODIES[key];
      if (body) return { schema: { ...schema, body }, url };
      const unschemed = UNSCHEMED_ROUTES[key];
      if (unschemed) return { schema: unschemed.schema, url: unschemed.url ?? url };
      return { schema, url };
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}
