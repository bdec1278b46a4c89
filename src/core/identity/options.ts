/** What an instance decides about sign-in: password hashing cost, session length, second factors, throttling. */

/** argon2id cost: memory in KiB, passes, lanes. */
export type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number };

/**
 * OWASP's argon2id recommendation (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
 * About 30-60 ms per hash on a small server, and the memory per sign-in stays modest, so a
 * burst of logins cannot exhaust a 1-2 GB machine. Raising the cost only affects new hashes:
 * verification reads the parameters stored in each hash.
 */
export const ARGON2_DEFAULTS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export type LockoutRule = {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** The first delay; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures (per account and source) after which only an administrator can unblock. */
  blockAfter: number;
};

export type IdentityOptions = {
  argon2: Argon2Params;
  /** A session ends this long after sign-in. */
  sessionTtlMs: number;
  /** Administrators must have TOTP to sign in. */
  requireAdminTotp: boolean;
  /** 32 bytes that encrypt TOTP secrets at rest; needed only once someone enrols. */
  secretKey?: Buffer;
  /** Shown by authenticator apps beside the account. */
  totpIssuer: string;
  lockout: LockoutRule;
};

export const DAY_MS = 24 * 60 * 60 * 1000;

export const IDENTITY_DEFAULTS: IdentityOptions = {
  argon2: ARGON2_DEFAULTS,
  sessionTtlMs: 14 * DAY_MS,
  requireAdminTotp: false,
  totpIssuer: 'Throughline',
  // 5 free tries, then 1 s, 2 s, 4 s … capped at 15 minutes: about a day to reach the block.
  lockout: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60 * 1000, blockAfter: 100 },
};

export type IdentityConfig = Partial<Omit<IdentityOptions, 'lockout'>> & { lockout?: Partial<LockoutRule> };

export function identityOptions(o: IdentityConfig = {}): IdentityOptions {
  const { lockout, ...rest } = o;
  return { ...IDENTITY_DEFAULTS, ...rest, lockout: { ...IDENTITY_DEFAULTS.lockout, ...lockout } };
}
