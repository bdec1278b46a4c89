/**
 * Who is at the other end of a request. By default the socket's peer: X-Forwarded-For is a
 * header anyone can send, so believing it would let a client choose the address it is
 * rate-limited, throttled and audited under. Behind a reverse proxy every peer is the proxy,
 * so the operator names their proxies (THROUGHLINE_TRUSTED_PROXIES); a request from one of
 * them is taken to come from the address the proxies report: the rightmost entry of
 * X-Forwarded-For that is not itself a trusted proxy (entries further left were written
 * by the client and prove nothing).
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

const parseAddress = (text: string): Address | undefined => {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  // ipaddr.process turns an IPv4-mapped IPv6 address (::ffff:10.0.0.1) into its IPv4 form.
  return ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined;
};

function parseRange(text: string): Range | undefined {
  const t = text.trim();
  if (t.includes('/')) {
    try {
      const [addr, bits] = ipaddr.parseCIDR(t);
      // Addresses are compared in their IPv4 form (parseAddress), so a mapped range is too.
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [addr, bits];
    } catch {
      return undefined;
    }
  }
  const addr = parseAddress(t);
  return addr ? [addr, addr.kind() === 'ipv4' ? 32 : 128] : undefined;
}

/** An IP address or a CIDR range, as THROUGHLINE_TRUSTED_PROXIES lists them. */
export const isAddressOrRange = (text: string): boolean => parseRange(text) !== undefined;

/** The client's address as Throughline records it. */
export type AddressResolver = (peer: string, forwardedFor: string | undefined) => string;

export function clientAddressResolver(trustedProxies: readonly string[]): AddressResolver {
  const ranges = trustedProxies.map((t) => {
    const r = parseRange(t);
    if (!r) throw new Error(`not an IP address or CIDR range: ${t}`);
    return r;
  });
  if (ranges.length === 0) return (peer) => peer;
  const trusted = (text: string) => {
    const addr = parseAddress(text);
    return addr !== undefined && ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  };
  return (peer, forwardedFor) => {
    if (!trusted(peer) || !forwardedFor) return peer;
    const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (trusted(hop)) continue;
      // A hop that is not an address (a proxy writing "unknown") ends the chain of trust at the last proxy.
      const addr = parseAddress(hop);
      return addr ? addr.toString() : peer;
    }
    return peer;
  };
}
