/**
 * Exact decimals: a value is a BigInt count of ten-thousandths (of an hour, of money, of a
 * coefficient). Every sum and product runs on integers and is rounded once, half away from
 * zero, to two decimals. No float ever touches an hour or an amount.
 */

export const SCALE = 10_000n;
export const DECIMAL = /^(\d{1,12})(?:\.(\d{1,4}))?$/;

/** `"12.5"` → 125000n. Only non-negative decimals with at most 4 places (hours, money, coefficients). */
export function toUnits(v: string | number | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  const s = typeof v === 'number' ? String(v) : v.trim();
  const m = DECIMAL.exec(s);
  if (!m) throw new Error(`not a non-negative decimal: ${s}`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'));
}

/** a ÷ b rounded half away from zero. */
export function divRound(a: bigint, b: bigint): bigint {
  const neg = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  const q = (x + y / 2n) / y;
  return neg ? -q : q;
}

/** n ÷ d rounded once, half away from zero, to two decimals (in units): no double rounding. */
export const divToCents = (n: bigint, d: bigint): bigint => divRound(n, d * 100n) * 100n;

/** Units → `"12.50"` (two decimals, rounded half away from zero). */
export function fmt(u: bigint): string {
  const cents = divRound(u, 100n);
  const neg = cents < 0n;
  const a = neg ? -cents : cents;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** Units of a coefficient as written (`"0.1"` → `"0.10"`, keeps up to 4 places). */
export function fmtCoefficient(u: bigint): string {
  const whole = u / SCALE;
  let frac = String(u % SCALE).padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${whole}.${frac}`;
}

export const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
