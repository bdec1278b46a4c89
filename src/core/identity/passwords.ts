/**
 * Password hashing (argon2id via @node-rs/argon2) and the password policy: length rather
 * than composition rules (NIST SP 800-63B), so long passphrases pass and the most common
 * passwords and ones made of the person's own email or name do not.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { randomToken } from './crypto.ts';
import { ARGON2_DEFAULTS, type Argon2Params } from './options.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

// Algorithm is a const enum, which isolatedModules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** Unicode passwords are compared in NFKC form, so the same characters typed differently match. */
const normalise = (password: string) => password.normalize('NFKC');

/** A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with its own random salt. */
export async function hashPassword(password: string, params: Argon2Params = ARGON2_DEFAULTS): Promise<string> {
  return hash(normalise(password), { ...params, algorithm: ARGON2ID });
}

/** True when the password matches; a malformed stored hash is a mismatch, never an exception. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, normalise(password));
  } catch {
    return false;
  }
}

const dummies = new Map<string, Promise<string>>();

/**
 * A hash of a random password with the given cost, verified when the account does not exist
 * so an unknown email costs the same time as a wrong password.
 */
export function dummyHash(params: Argon2Params = ARGON2_DEFAULTS): Promise<string> {
  const key = `${params.memoryCost}/${params.timeCost}/${params.parallelism}`;
  let h = dummies.get(key);
  if (!h) {
    h = hashPassword(randomToken(), params);
    dummies.set(key, h);
  }
  return h;
}

/** The password without trailing digits and symbols ("Summer2026!" → "summer") and without trailing symbols only ("12345678!" → "12345678"). */
const stems = (lower: string) => [lower.replace(/[\d\p{P}\p{S}\s]+$/u, ''), lower.replace(/[\p{P}\p{S}\s]+$/u, '')];

/** Problems with a new password, each a sentence; an empty list means it is acceptable. */
export function checkPasswordPolicy(password: string, person: { email?: string | null; name?: string | null } = {}): string[] {
  const problems: string[] = [];
  const pw = normalise(password);
  const length = [...pw].length;
  if (length < PASSWORD_MIN) problems.push(`must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) problems.push(`must be at most ${PASSWORD_MAX} characters`);
  const lower = pw.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || stems(lower).some((s) => s.length > 0 && COMMON_PASSWORDS.has(s))) {
    problems.push('is one of the most commonly used passwords');
  }
  const local = person.email?.split('@')[0]?.trim().toLowerCase();
  if (local && local.length >= 3 && lower.includes(local)) problems.push('must not contain your email address');
  const name = person.name?.normalize('NFKC').trim().toLowerCase();
  if (name && (lower.trim() === name || lower.replace(/\s+/g, '') === name.replace(/\s+/g, ''))) {
    problems.push('must not be your name');
  }
  return problems;
}
