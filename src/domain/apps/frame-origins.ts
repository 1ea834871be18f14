// The origins allowed to show an app's capture pages in an iframe. Each one becomes a source of the page's CSP
// `frame-ancestors` and a target origin of the page's postMessage events, so the syntax is strict: a scheme,
// a host and an optional port, nothing else. A leading `*.` label is the one wildcard CSP offers; it must
// leave at least a registrable-looking name after it (`https://*.example.com`, never `https://*` or `*.com`).

export const MAX_FRAME_ORIGINS = 20;
const MAX_ORIGIN_LENGTH = 300;

const LABEL = '(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ORIGIN = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9*.-]+)(?::(\d{1,5}))?$/;

export class FrameOriginError extends Error {}

/** One origin, normalised (lower case, no default port), or a FrameOriginError saying what is wrong with it. */
export function parseFrameOrigin(raw: string): string {
  const input = raw.trim();
  if (!input) throw new FrameOriginError('an origin is empty');
  const shown = JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input);
  if (input.length > MAX_ORIGIN_LENGTH)
    throw new FrameOriginError(`${shown} is longer than ${MAX_ORIGIN_LENGTH} characters`);
  const m = ORIGIN.exec(input.toLowerCase());
  if (!m)
    throw new FrameOriginError(
      `${shown} is not an origin: give scheme://host[:port] (http or https), with no path, query, user or quotes`,
    );
  const [, scheme, host, port] = m as unknown as [string, 'http' | 'https', string, string | undefined];
  const ipv6 = host.startsWith('[');
  if (host.includes('*') && (!host.startsWith('*.') || host.split('.').length < 3)) {
    throw new FrameOriginError(`${shown}: a wildcard must be followed by at least two labels (https://*.example.com)`);
  }
  if (!ipv6 && !IPV4.test(host) && !HOST.test(host))
    throw new FrameOriginError(`${shown} has an invalid host name (use the ASCII/punycode form)`);
  if (ipv6) {
    try {
      new URL(`${scheme}://${host}`);
    } catch {
      throw new FrameOriginError(`${shown} has an invalid IPv6 address`);
    }
  }
  let portPart = '';
  if (port !== undefined) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw new FrameOriginError(`${shown} has an invalid port`);
    const isDefault = (scheme === 'https' && n === 443) || (scheme === 'http' && n === 80);
    if (!isDefault) portPart = `:${n}`;
  }
  return `${scheme}://${host}${portPart}`;
}

/**
 * A list from the command line or the environment: origins separated by spaces or commas, `none` for no framing
 * at all. Duplicates are dropped; more than MAX_FRAME_ORIGINS is refused (the list is sent in every page's CSP).
 */
export function parseFrameOrigins(raw: string): string[] {
  const items = raw.split(/[\s,]+/).filter(Boolean);
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return [];
  if (items.length > MAX_FRAME_ORIGINS)
    throw new FrameOriginError(`at most ${MAX_FRAME_ORIGINS} origins may frame the page (got ${items.length})`);
  return [...new Set(items.map(parseFrameOrigin))];
}
