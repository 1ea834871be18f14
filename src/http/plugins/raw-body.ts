import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: the request signature covers these bytes. */
    rawBody?: Buffer;
    /** A JSON body waiting for its caller to authenticate before it is parsed. */
    jsonPending?: boolean;
  }
  interface FastifyContextConfig {
    /** The route takes an image (multipart or base64 in JSON): its body may reach the upload limit. */
    upload?: boolean;
  }
}

/** Route config of the routes that take an image: their body limit is OPENIDV_BODY_LIMIT, not the JSON one. */
export const UPLOAD = { upload: true } as const;

/**
 * Nesting deeper than this is refused before parsing. A session specification nests 7 levels; nothing the API
 * takes needs more, and deep nesting is what overflows the stack of recursive code (validation, storage).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Bodies are buffered as bytes, never parsed here: the limit of the route answers 413 from Content-Length before
 * anything is read and stops reading once a chunked body passes it. Every route takes OPENIDV_JSON_BODY_LIMIT
 * unless it is marked UPLOAD (OPENIDV_BODY_LIMIT). JSON is parsed by `parseJsonBody` only once the caller is
 * authenticated, so a stranger's body costs a copy, never a parse.
 */
export function registerRawBodyParsers(app: FastifyInstance, config: Pick<Config, 'bodyLimit'>): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.upload) route.bodyLimit = config.bodyLimit;
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json(;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    request.jsonPending = true;
    done(null, undefined);
  });
  app.addContentTypeParser(/^multipart\/form-data(;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });
}

/** True when `raw` nests arrays and objects deeper than `max` (strings skipped); linear in the length. */
export function jsonDepthExceeds(raw: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x22) {
      // Jump to the closing quote: the first one not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = raw.indexOf(0x22, end + 1);
        if (end < 0) return false; // unterminated: JSON.parse refuses it
        let slashes = 0;
        while (raw[end - 1 - slashes] === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Parses a pending JSON body; called by the authentication hooks once the caller is known. */
export function parseJsonBody(request: FastifyRequest): void {
  if (!request.jsonPending) return;
  request.jsonPending = false;
  const raw = request.rawBody!;
  if (raw.length === 0) return;
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) {
    throw new AppError('PAYLOAD_VALIDATION', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    request.body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('PAYLOAD_VALIDATION', 'The request body is not valid JSON');
  }
}
