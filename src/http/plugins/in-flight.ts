import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERRORS } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Answers 500 to a request still in flight whose handler lost an error to the process (see
     * runtime/safety-net.ts), so its connection does not hang; does nothing once it was answered.
     */
    failInFlight(requestId: string): void;
  }
}

export function registerInFlight(app: FastifyInstance): void {
  const inFlight = new Map<string, FastifyReply>();
  app.addHook('onRequest', (request, reply, done) => {
    inFlight.set(request.id, reply);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    inFlight.delete(request.id);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    inFlight.delete(request.id);
    done();
  });
  app.decorate('failInFlight', (requestId: string) => {
    const reply = inFlight.get(requestId);
    inFlight.delete(requestId);
    if (!reply || reply.sent) return;
    void reply.header('connection', 'close').status(500).send({ code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message });
  });
}
