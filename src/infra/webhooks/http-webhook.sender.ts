import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { WebhookSender } from '../../domain/ports/webhook-sender.port.js';
import { isPrivateAddress } from './address-policy.js';
import { type EndpointPolicy, endpointProblem } from './endpoint-policy.js';

export interface HttpWebhookSenderOptions extends EndpointPolicy {
  timeoutMs: number;
}

/**
 * POSTs webhooks with node:http(s). The address is checked inside the connection's own DNS lookup, so a name
 * cannot resolve to a public address for the check and a private one for the connection. Redirects are not
 * followed (a 3xx counts as a failed delivery).
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpWebhookSenderOptions) {}

  post(endpoint: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
    // Sessions created before a policy change may name endpoints it now refuses. Connections to IP literals
    // skip the lookup below, so endpointProblem checks those.
    const problem = endpointProblem(endpoint, this.options);
    if (problem) return Promise.reject(new Error(`webhook endpoint ${problem}`));
    const url = new URL(endpoint);
    const allowPrivate = this.options.allowPrivateEndpoints;
    const lookup = (
      hostname: string,
      opts: object,
      callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return callback(err, '');
        const list = addresses as LookupAddress[];
        const allowed = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
        if (!allowed.length)
          return callback(
            Object.assign(new Error('webhook endpoint resolves to a private address'), { code: 'EPRIVATE' }),
            '',
          );
        if ((opts as { all?: boolean }).all) return callback(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup,
          timeout: this.options.timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('webhook endpoint timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
