import ipaddr from 'ipaddr.js';

// Webhook endpoints must not reach the operator's own network (SSRF): loopback, private, link-local,
// unique-local, CGNAT, multicast, reserved and unspecified addresses are refused unless explicitly allowed,
// and so is every IPv6 form that carries such an IPv4 address inside it.

/** IPv4 ranges (ipaddr.js names) that are not the public internet. `as112` and `amt` are public anycast. */
const PRIVATE_V4 = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
]);

const v4 = (bytes: number[]) => new ipaddr.IPv4(bytes);

/** The IPv4 addresses an IPv6 address embeds by a standard translation, or null when it embeds none. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const b = a.toByteArray();
  const last4 = b.slice(12, 16);
  // ::/96 (IPv4-compatible, which also holds :: and ::1), ::ffff:0:0/96 (mapped), ::ffff:0:0:0/96 (SIIT),
  // 64:ff9b::/96 (NAT64 well-known prefix): the address is the last 32 bits.
  if (
    a.match(ipaddr.IPv6.parse('::'), 96) ||
    a.match(ipaddr.IPv6.parse('::ffff:0:0'), 96) ||
    a.match(ipaddr.IPv6.parse('::ffff:0:0:0'), 96)
  ) {
    return [v4(last4)];
  }
  if (a.match(ipaddr.IPv6.parse('64:ff9b::'), 96)) return [v4(last4)];
  // 2002::/16 (6to4): bits 16-47.
  if (a.match(ipaddr.IPv6.parse('2002::'), 16)) return [v4(b.slice(2, 6))];
  // 2001::/32 (Teredo): the server in bits 32-63, the client in the last 32 bits, inverted.
  if (a.match(ipaddr.IPv6.parse('2001::'), 32)) return [v4(b.slice(4, 8)), v4(last4.map((x) => x ^ 0xff))];
  return null;
}

function isPrivateV6(a: ipaddr.IPv6): boolean {
  const inner = embeddedV4(a);
  if (inner) return inner.some((x) => PRIVATE_V4.has(x.range()));
  // 64:ff9b:1::/48 (NAT64 local use): the operator chooses where the IPv4 address sits, so it cannot be read.
  // Everything else outside global unicast (link-local, unique-local, multicast, discard, documentation,
  // benchmarking, ORCHID, site-local) is refused too.
  return a.range() !== 'unicast';
}

export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv4' ? PRIVATE_V4.has(parsed.range()) : isPrivateV6(parsed as ipaddr.IPv6);
}
