import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: the request signature covers these bytes. */
    rawBody?: Buffer;
    /** Set when a JSON body did not parse; reported after the signature check, so strangers learn nothing. */
    bodyParseError?: boolean;
  }
}

// Bodies are buffered as bytes (bounded by bodyLimit, which answers 413 from Content-Length before reading),
// kept raw for signature verification, then parsed.
export function registerRawBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json(;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      request.bodyParseError = true;
      done(null, undefined);
    }
  });
  app.addContentTypeParser(/^multipart\/form-data(;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });
}
