/**
 * Request rate limits for the HTTP API: a fixed window of requests per client address,
 * checked before any credential is looked at (so a flood of bad keys costs no database
 * work), and one per credential (API key or session), checked once the caller is known.
 * A refused request is a 429 RATE_LIMITED with Retry-After; it is not audited, so a flood
 * cannot fill the audit log.
 *
 * On PostgreSQL the counters are rows of the table `rate_limits` (rate-limiter-flexible's
 * PostgreSQL store), so every server process of the database counts against the same limit;
 * an address is counted under a keyed hash of it, never as itself. On the embedded database,
 * which admits one process, they live in that process's memory and start empty at a restart.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import type pg from 'pg';
import type { RateLimiterAbstract, RateLimiterMemory as RateLimiterMemoryClass, RateLimiterPostgres as RateLimiterPostgresClass, RateLimiterRes } from 'rate-limiter-flexible';
import type { Credential } from '../core/context.ts';
import { AppError } from '../core/errors.ts';

// Only the limiters used: the package's index also loads every store adapter it has
// (Redis, Mongo, SQL, …), which adds tens of milliseconds to each start.
const load = createRequire(import.meta.url);
const RateLimiterMemory = load('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof RateLimiterMemoryClass;
const RateLimiterPostgres = load('rate-limiter-flexible/lib/RateLimiterPostgres.js') as typeof RateLimiterPostgresClass;

/** Where counters are kept when several processes share them: the database's pool, and the key that hashes what is counted. */
export type SharedCounters = { pool: pg.Pool; secret: Buffer };

export type RateLimitOptions = {
  /** Requests per window per API key or session; 0 turns this limit off. */
  perCredential: number;
  /** Requests per window per client address, authenticated or not; 0 turns this limit off. */
  perAddress: number;
  /** The window, in seconds; a minute unless given. */
  windowSeconds?: number;
};

export type RateLimits = {
  /** Counts one request from this address; throws RATE_LIMITED past the limit. */
  address(ip: string): Promise<void>;
  /** Counts one request made with this credential; throws RATE_LIMITED past the limit. */
  credential(credential: Credential): Promise<void>;
  /** Counts one call of a local (stdio) MCP agent acting for this user, which has no credential of its own. */
  localAgent(userId: string): Promise<void>;
};

/**
 * The key a client address is counted under. An IPv4 address as itself (also when it comes
 * IPv4-mapped, ::ffff:a.b.c.d); an IPv6 address by its /64, since one client usually holds a
 * whole /64 and could otherwise step through addresses. Anything else (including the empty
 * address of a request that came without a socket) as given: still one address.
 */
export function addressKey(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(bare)) return ip;
  let groups: string[];
  const [head, tail] = bare.split('::') as [string, string | undefined];
  const hextets = (s: string) => (s === '' ? [] : s.split(':'));
  if (tail === undefined) {
    groups = hextets(head);
  } else {
    const h = hextets(head);
    // An embedded IPv4 tail (e.g. 64:ff9b::1.2.3.4) takes two groups; only the first four matter here.
    const t = hextets(tail).flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
    groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => (g.includes('.') ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}

export function createRateLimits(opts: RateLimitOptions, shared?: SharedCounters): RateLimits | undefined {
  const windowSeconds = opts.windowSeconds ?? 60;
  const make = (points: number, keyPrefix: string): RateLimiterAbstract | undefined => {
    if (points <= 0) return undefined;
    if (!shared) return new RateLimiterMemory({ points, duration: windowSeconds });
    // The table comes from the migrations; a key past its limit is refused from memory until its window ends, without a query.
    return new RateLimiterPostgres({ storeClient: shared.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix, points, duration: windowSeconds, inMemoryBlockOnConsumed: points });
  };
  const byAddress = make(opts.perAddress, 'address');
  const byCredential = make(opts.perCredential, 'credential');
  if (!byAddress && !byCredential) return undefined;
  const counted = (key: string) => (shared ? createHmac('sha256', shared.secret).update(key).digest('base64url').slice(0, 32) : key);

  const take = async (limiter: RateLimiterAbstract | undefined, key: string, what: string, reason: string) => {
    if (!limiter) return;
    try {
      await limiter.consume(counted(key));
    } catch (e) {
      // The stores reject with the limiter's result when the limit is reached, with an Error when they fail.
      if (e instanceof Error) throw e;
      const seconds = Math.max(1, Math.ceil((e as RateLimiterRes).msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', `Too many requests ${what}; try again in ${seconds} s`, {
        details: {
          reason,
          limit: limiter.points,
          window_seconds: windowSeconds,
          retry_after_seconds: seconds,
          // The same name the sign-in throttle uses, so every 429 can be read one way.
          retry_after: seconds,
        },
      });
    }
  };

  return {
    address: (ip) => take(byAddress, addressKey(ip), 'from this address', 'rate_limited_address'),
    credential: (c) =>
      take(byCredential, `${c.kind}:${c.id}`, c.kind === 'api_key' ? 'with this API key' : 'with this session', 'rate_limited_credential'),
    localAgent: (userId) => take(byCredential, `agent:${userId}`, 'from this agent', 'rate_limited_credential'),
  };
}
