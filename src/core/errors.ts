/** The one error type every layer throws; adapters map it to their surface. */
export const ERROR_CODES = [
  'NOT_FOUND',
  'VALIDATION',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'LIMIT_EXCEEDED',
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
