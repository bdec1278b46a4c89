/**
 * What protects the public lead-capture operations (public-capture.ts) from abuse, beside
 * the schemas' own bounds: a per-address limit on submissions and on analytics events, the
 * honeypot and minimum fill time that tell a bot from a person, and the anonymised form in
 * which a visitor's address and browser are kept.
 *
 * The counters live in this process's memory (rate-limiter-flexible's RateLimiterMemory, as
 * the HTTP API's own limits): they start empty at every restart, and several server
 * processes each count on their own. They are kept per database handle (the AccessCache the
 * API gives every request), so two apps in one process (tests) never share counters.
 */
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import type { RateLimiterMemory as RateLimiterMemoryClass, RateLimiterRes } from 'rate-limiter-flexible';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';

// Only the in-memory limiter: the package's index also loads every store adapter it has.
const RateLimiterMemory = createRequire(import.meta.url)('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof RateLimiterMemoryClass;

/** What a public caller may do how often, per client address. */
export const PUBLIC_LIMITS = {
  /** Form posts that may store a lead (quiz, contact form, ROI with an email): 10 per 10 minutes. */
  submit: { points: 10, windowSeconds: 600 },
  /** ROI calculations without an email (a visitor trying figures): 60 per 10 minutes. */
  calculate: { points: 60, windowSeconds: 600 },
  /** Analytics events from the public pages: 120 per minute. */
  event: { points: 120, windowSeconds: 60 },
} as const;
export type PublicAction = keyof typeof PUBLIC_LIMITS;

/** Bots fill every field they see; the field is hidden from people. */
export const HONEYPOT_FIELD = 'website';
/** A person needs at least this long between seeing a form and sending it. */
export const MIN_FILL_MS = 3000;

type Limiters = Record<PublicAction, RateLimiterMemoryClass>;
const byInstance = new WeakMap<object, Limiters>();
/** For callers without an AccessCache (the CLI, a test calling the core directly). */
const PROCESS_KEY = {};

function limitersFor(ctx: Ctx): Limiters {
  const key: object = ctx.cache ?? PROCESS_KEY;
  let l = byInstance.get(key);
  if (!l) {
    l = Object.fromEntries(
      Object.entries(PUBLIC_LIMITS).map(([action, o]) => [action, new RateLimiterMemory({ points: o.points, duration: o.windowSeconds })]),
    ) as Limiters;
    byInstance.set(key, l);
  }
  return l;
}

/**
 * The key a client address is counted under: an IPv4 address as itself (also IPv4-mapped), an
 * IPv6 address by its /64 (one client usually holds a whole /64 and could step through it),
 * anything else (a request without a socket) as `unknown`, which is still one address.
 */
export function limitKey(ip: string | undefined): string {
  const a = parseAddress(ip);
  if (!a) return 'unknown';
  if (a.kind() === 'ipv4') return a.toString();
  const parts = (a as ipaddr.IPv6).parts;
  return `${parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(':')}::/64`;
}

/** Counts one public action from the caller's address; past the limit, RATE_LIMITED (429 with Retry-After). */
export async function takePublicLimit(ctx: Ctx, action: PublicAction): Promise<void> {
  const limiter = limitersFor(ctx)[action];
  const { points, windowSeconds } = PUBLIC_LIMITS[action];
  try {
    await limiter.consume(limitKey(ctx.meta?.ip));
  } catch (e) {
    // The memory store only ever rejects with the limiter's result; anything else is a bug.
    if (e instanceof Error) throw e;
    const seconds = Math.max(1, Math.ceil((e as RateLimiterRes).msBeforeNext / 1000));
    throw new AppError('RATE_LIMITED', `Too many ${action === 'event' ? 'events' : 'submissions'} from this address; try again in ${seconds} s`, {
      details: {
        reason: `public_${action}_limit`,
        limit: points,
        window_seconds: windowSeconds,
        retry_after_seconds: seconds,
        // The name the HTTP adapter reads for the Retry-After header.
        retry_after: seconds,
      },
    });
  }
}

/** A form post a person would not send: the hidden field filled in, or sent faster than anyone reads. */
export function looksLikeBot(input: { website?: string | undefined; elapsed_ms: number }): boolean {
  return (input.website ?? '').trim() !== '' || input.elapsed_ms < MIN_FILL_MS;
}

function parseAddress(ip: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ip) return undefined;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into the IPv4 one; the zone (%eth0) is dropped.
    return ipaddr.process(ip.replace(/%.*$/, ''));
  } catch {
    return undefined;
  }
}

/**
 * A visitor's address as it is kept: IPv4 with the last octet zeroed (a.b.c.0), IPv6 cut to
 * its /48 (the site, not the device); null for anything that is not an address.
 */
export function anonymiseIp(ip: string | undefined): string | null {
  const a = parseAddress(ip);
  if (!a) return null;
  if (a.kind() === 'ipv4') {
    const [x, y, z] = (a as ipaddr.IPv4).octets;
    return `${x}.${y}.${z}.0`;
  }
  const parts = (a as ipaddr.IPv6).parts.slice(0, 3);
  return ipaddr.fromByteArray([...parts.flatMap((p) => [p >> 8, p & 0xff]), ...Array<number>(10).fill(0)]).toString();
}

/** The longest user agent kept. */
export const MAX_USER_AGENT = 256;

export const truncateUserAgent = (ua: string | undefined): string | null => (ua ? ua.slice(0, MAX_USER_AGENT) : null);
