import { AsyncLocalStorage } from 'node:async_hooks';

// The id of the HTTP request (or job) a piece of work descends from, so a log line of a check or a webhook
// can be traced back to the request that started it.
export const requestContext = new AsyncLocalStorage<{
  requestId: string;
  /** Answers the HTTP request 500 if it is still unanswered: used by the safety net (runtime/safety-net.ts). */
  answerEscapedError?: () => void;
}>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
