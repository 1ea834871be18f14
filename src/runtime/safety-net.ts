import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { requestContext } from '../shared/request-context.js';

/**
 * The last line of defence of an HTTP process: an error that escapes every handler (an 'error' event nobody
 * listens to, a rejected promise nobody awaits) is logged at error with the id of the request it came from,
 * counted in `openidv_escaped_errors_total`, and that request is answered 500 — the process keeps serving.
 *
 * Why carrying on is safe here, against Node's general advice: the state that matters lives in the database,
 * and every write is a transaction inside a repository that awaits nothing but the database, so an error
 * escaping from a stream or a callback elsewhere cannot leave a write half done or a transaction open.
 * Requests share no mutable in-memory state but caches and counters: the face index re-checks every hit against
 * the database and replays its change log before each search, and a rate-limit counter off by one does no harm.
 * What is lost is the continuation of the one request the error came from, which is answered here. So the
 * process after an escaped error is the process after a request that failed normally. Exiting instead would
 * hand anyone who finds such a bug a remote off switch (with --http-processes, a restart loop that loses most
 * requests).
 */
export function installSafetyNet(deps: { logger: Logger; metrics: Registry }): void {
  const escaped = new Counter({
    name: 'openidv_escaped_errors_total',
    help: 'Errors that escaped every handler and were caught by the process safety net (each one is a bug to fix)',
    labelNames: ['kind'] as const,
    registers: [deps.metrics],
  });
  const handle = (err: unknown, kind: 'exception' | 'rejection') => {
    const context = requestContext.getStore();
    escaped.inc({ kind });
    deps.logger.error(
      { err, reqId: context?.requestId, kind },
      'an error escaped its handler: the request failed, the process keeps serving',
    );
    context?.answerEscapedError?.();
  };
  process.on('uncaughtException', (err) => handle(err, 'exception'));
  process.on('unhandledRejection', (reason) => handle(reason, 'rejection'));
}
