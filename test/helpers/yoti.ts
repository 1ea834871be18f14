import { createRequire } from 'node:module';
import type { TestApp } from './server.js';

// The official yoti SDK (CommonJS) as integrators use it, plus the one class Yoti does not ship: a
// FAMILIAR_FACE_SEARCH requested check (spec 3.3: subclass the SDK's RequestedCheck).
const require = createRequire(import.meta.url);
export const yoti = require('yoti');
const RequestedCheck = require('yoti/src/idv_service/session/create/check/requested.check');

type ManualCheck = 'ALWAYS' | 'FALLBACK' | 'NEVER';

class RequestedFamiliarFaceSearchCheck extends RequestedCheck {
  constructor(config: { pool_id: string; approval_criteria: 'MATCH' | 'NO_MATCH'; manual_check?: ManualCheck }) {
    super('FAMILIAR_FACE_SEARCH', config);
  }
}

export function familiarFaceSearch(poolId: string, criteria: 'MATCH' | 'NO_MATCH', manualCheck?: ManualCheck) {
  return new RequestedFamiliarFaceSearchCheck({
    pool_id: poolId,
    approval_criteria: criteria,
    ...(manualCheck ? { manual_check: manualCheck } : {}),
  });
}

export function idvClient(app: TestApp, apiUrl: string) {
  return new yoti.IDVClient(app.sdkId, app.privateKeyPem, { apiUrl });
}

/** A signed call through the SDK's RequestBuilder (how Yoti tells integrators to call the FFS endpoints). */
export async function signedCall(apiUrl: string, app: TestApp, method: string, endpoint: string, payload?: unknown) {
  const [path, query] = endpoint.split('?');
  let builder = new yoti.RequestBuilder()
    .withBaseUrl(apiUrl)
    .withPemString(app.privateKeyPem)
    .withEndpoint(path)
    .withQueryParam('sdkId', app.sdkId)
    .withMethod(method);
  for (const [k, v] of new URLSearchParams(query ?? '')) builder = builder.withQueryParam(k, v);
  if (payload !== undefined) builder = builder.withPayload(new yoti.Payload(payload));
  try {
    const response = await builder.build().execute();
    return { status: response.getStatusCode() as number, body: response.getParsedResponse() };
  } catch (err) {
    const e = err as { status?: number; response?: { body?: unknown } };
    return { status: e.status ?? 0, body: e.response?.body ?? {} };
  }
}
