import type { z } from 'zod';

/** The one error type every layer throws; adapters map it to their surface. */
export const ERROR_CODES = [
  'NOT_FOUND',
  'VALIDATION',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'LIMIT_EXCEEDED',
  'RATE_LIMITED',
  /** Something outside Throughline that a verb needs (the assistant's language model) is not configured, failed or timed out. */
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type FieldError = { field: string; message: string };

export type ErrorDetails = {
  fields?: FieldError[];
  /** For refused status moves: the statuses the record may move to. */
  allowed?: string[];
  [key: string]: unknown;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, opts: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details ?? {};
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError('NOT_FOUND', id ? `${what} ${id} was not found` : `${what} was not found`);

export const invalid = (fields: FieldError[], message?: string) =>
  new AppError('VALIDATION', message ?? fields.map((f) => `${f.field}: ${f.message}`).join('; '), {
    details: { fields },
  });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A zod failure as field errors: unknown keys, missing fields and bad values, each named. */
// Needs the issues' input (safeParse(…, { reportInput: true })) to tell a missing field from a wrong one.
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: [...i.path.map(String), k].join('.'), message: 'is not a known field' }))
      : [{ field: i.path.map(String).join('.') || 'input', message: i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message }],
  );
}

/** Parses input with a schema, or throws VALIDATION naming each bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  throw invalid(zodFieldErrors(r.error));
}

/** Runs a validation of a nested payload and reports its field errors under a prefix (`contact.email`). */
export function nestedFields<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError && e.details.fields) {
      throw invalid(e.details.fields.map((f) => ({ field: `${prefix}.${f.field}`, message: f.message })));
    }
    throw e;
  }
}
