import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ERRORS, type ErrorCode, type PropertyError } from '../domain/errors.js';
import { FaceEngineError } from '../domain/ports/face-engine.port.js';
import { imageRefusal } from '../domain/media/image-refusal.js';
import { propertyPath } from '../domain/property-path.js';

// One handler renders every failure in the Yoti shape {code, message, errors?}. Only unknown errors become 500,
// with a generic message; the full error goes to the log, never to the client.

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PAYLOAD_VALIDATION',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PAYLOAD_VALIDATION',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationErrors(issues: ValidationIssue[], context: string | undefined): PropertyError[] {
  return issues.map((issue) => {
    const missing = typeof issue.params?.missingProperty === 'string' ? `/${issue.params.missingProperty}` : '';
    const path = propertyPath(issue.instancePath + missing);
    const allowed = Array.isArray(issue.params?.allowedValues)
      ? `: ${(issue.params.allowedValues as unknown[]).join(', ')}`
      : '';
    return {
      property: path || (context === 'body' ? '$' : (context ?? '$')),
      message: (issue.message ?? 'is invalid') + allowed,
    };
  });
}

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof FaceEngineError) return imageRefusal(error.code);
  const fe = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe?.validation) {
    return new AppError('PAYLOAD_VALIDATION', undefined, validationErrors(fe.validation, fe.validationContext));
  }
  if (fe?.code && FASTIFY_CODES[fe.code]) return new AppError(FASTIFY_CODES[fe.code]!);
  if (fe instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('PAYLOAD_VALIDATION', 'The request body is not valid JSON');
  }
  const status = fe?.statusCode;
  if (status && status >= 400 && status < 500) {
    const byStatus = (Object.keys(ERRORS) as ErrorCode[]).find((c) => ERRORS[c].status === status);
    return new AppError(byStatus ?? 'PAYLOAD_VALIDATION');
  }
  return null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toAppError(error);
    if (!known) {
      request.log.error({ err: error }, 'unhandled error');
      return reply.status(500).send({ code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message });
    }
    if (known.status >= 500) request.log.warn({ code: known.code, msg: known.message }, 'request failed');
    // The decoder's own words, kept out of the response (imageRefusal), are still worth a log line.
    if (error instanceof FaceEngineError)
      request.log.info({ code: error.code, detail: error.message }, 'image refused');
    const body: Record<string, unknown> = { code: known.code, message: known.message };
    if (known.errors?.length) body.errors = known.errors;
    const retryAfter = known.retryAfterSec ?? (known.code === 'SERVICE_UNAVAILABLE' ? 5 : undefined);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    // Fastify closes the connection after a body over the limit; a client still sending would then get a reset
    // instead of this answer. Node reads the rest of the body and drops it (bounded by the request timeout).
    if (known.code === 'PAYLOAD_TOO_LARGE') reply.removeHeader('connection');
    return reply.status(known.status).send(body);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({ code: 'NOT_FOUND', message: ERRORS.NOT_FOUND.message }),
  );
}

/**
 * Errors Node's HTTP parser meets before any route runs (a URL and headers over 16 KB, a request that is not HTTP,
 * a header timeout): answered in the Yoti shape too, instead of Fastify's `{error, statusCode}`. The connection
 * closes, as Node's own handler does, since the parser cannot continue on it.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'HEADERS_TOO_LARGE'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'REQUEST_TIMEOUT'
        : 'PAYLOAD_VALIDATION';
  const { status } = ERRORS[code];
  const body = JSON.stringify({
    code,
    message: code === 'PAYLOAD_VALIDATION' ? 'The request is not valid HTTP' : ERRORS[code].message,
  });
  this.log.debug({ err }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
