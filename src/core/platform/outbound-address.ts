/**
 * Which addresses Throughline may call on its own (webhooks): public unicast only. A URL is
 * checked when it is saved and again before every send, since what a name resolves to can
 * change. Odd spellings of an address (2130706433, 0x7f.1, 017700000001, [::ffff:127.0.0.1])
 * are normalised by the WHATWG URL parser before the check; IPv4-mapped IPv6 addresses are
 * judged as the IPv4 address they carry. Every error is a field error on `url` in our own
 * words: nothing a resolver said is passed on.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { invalid } from '../errors.ts';

export const MAX_URL_LENGTH = 2048;
/** A resolver that does not answer in this time counts as one that does not resolve the name. */
const LOOKUP_TIMEOUT_MS = 5_000;

export type OutboundPolicy = {
  /** Development and tests only: http and loopback, private and other non-public addresses are allowed. */
  allowPrivate: boolean;
  /** The resolver (tests of DNS answers); dns.promises.lookup otherwise. */
  lookup?: (host: string) => Promise<string[]>;
};

const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  carrierGradeNat: 'carrier-grade NAT',
  reserved: 'reserved',
};

const refuse = (message: string) => invalid([{ field: 'url', message }]);

async function lookupAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([dns.lookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/** The kind of non-public range an address is in (loopback, private, link-local…), or null when it is public unicast. */
export function nonPublicReason(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  return RANGE_WORDS[range] ?? 'non-public';
}

/**
 * Parses and checks a URL Throughline is to call; answers it with the addresses its host
 * resolves to now. Throws VALIDATION on `url` when it may not be called.
 */
export async function checkOutboundUrl(raw: string, policy: OutboundPolicy): Promise<{ url: URL; addresses: string[] }> {
  if (typeof raw !== 'string' || raw.length === 0) throw refuse('is required');
  if (raw.length > MAX_URL_LENGTH) throw refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be a valid absolute URL, e.g. https://hooks.example.com/throughline');
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) {
    throw refuse(policy.allowPrivate ? 'must be an http or https URL' : 'must be an https URL');
  }
  if (url.username !== '' || url.password !== '') throw refuse('must not contain a user name or password');
  if (url.href.length > MAX_URL_LENGTH) throw refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  // The parser has already turned every IPv4 spelling into dotted decimal and IPv6 into its bracketed canonical form.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw refuse('must name a host');
  const bare = host.replace(/\.$/, '').toLowerCase();
  // RFC 6761: these names are the machine itself, whatever a resolver might answer.
  if (!policy.allowPrivate && (bare === 'localhost' || bare.endsWith('.localhost'))) {
    throw refuse('resolves to a private address (loopback); webhooks reach public addresses only');
  }
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (policy.lookup ?? lookupAll)(host);
    } catch {
      throw refuse('names a host that does not resolve');
    }
    if (addresses.length === 0) throw refuse('names a host that does not resolve');
  }
  if (!policy.allowPrivate) {
    // Any one private answer refuses the name: the connection might use that one.
    for (const a of addresses) {
      const why = nonPublicReason(a);
      if (why) throw refuse(`resolves to a private address (${why}); webhooks reach public addresses only`);
    }
  }
  return { url, addresses };
}
