/**
 * The few primitives identity needs, all from node:crypto: random tokens, SHA-256 digests of
 * high-entropy secrets (tokens, keys, recovery codes; passwords use argon2id instead), a
 * constant-time comparison, and AES-256-GCM for secrets that must be read back (TOTP).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes (256 bits) as base64url: 43 characters. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant-time equality of two hex digests; different lengths are simply unequal. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const VERSION = 'v1';

function checkKey(key: Buffer) {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes (AES-256)');
}

/**
 * Encrypts with AES-256-GCM under a fresh 96-bit nonce. `context` (a row id) is bound as
 * additional data, so a ciphertext copied onto another row does not decrypt.
 */
export function seal(key: Buffer, plain: string, context: string): string {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(key: Buffer, sealed: string, context: string): string {
  checkKey(key);
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
