import { isIP } from 'node:net';
import { isPrivateAddress } from './address-policy.js';

export interface EndpointPolicy {
  /** Loopback and private addresses allowed (SSRF guard off). */
  allowPrivateEndpoints: boolean;
  /** Plain http allowed; otherwise https only (webhooks carry the integrator's auth token). */
  allowHttp: boolean;
}

/**
 * Why an endpoint may not receive webhooks, or null. Checked when a session names it and again at each
 * delivery; a host name is checked at delivery, against every address it resolves to.
 */
export function endpointProblem(endpoint: string, policy: EndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry credentials (use auth_token)';
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateEndpoints && isIP(literal) && isPrivateAddress(literal)) return 'is a private address';
  return null;
}
