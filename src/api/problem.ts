/** The one error mapper of the HTTP surface: AppError → application/problem+json, never SQL or stacks. */
import type { LogFields } from '../logging.ts';
import type { Context } from 'hono';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { mapDbError } from '../db/errors.ts';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  LIMIT_EXCEEDED: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const TITLE: Record<ErrorCode, string> = {
  VALIDATION: 'Invalid request',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PRECONDITION_FAILED: 'Precondition failed',
  LIMIT_EXCEEDED: 'Limit exceeded',
  RATE_LIMITED: 'Too many requests',
  UNAVAILABLE: 'Service unavailable',
  INTERNAL: 'Internal error',
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  request_id: string;
  errors?: { field: string; message: string }[];
  [key: string]: unknown;
};

export function toProblem(error: unknown, requestId: string, log: (msg: string, err: unknown, fields?: LogFields) => void): Problem {
  const mapped = mapDbError(error);
  const e =
    mapped instanceof AppError
      ? mapped
      : new AppError('INTERNAL', `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
  if (!(mapped instanceof AppError)) log(`request ${requestId} failed`, error, { request_id: requestId });
  const { fields, ...rest } = e.details;
  const status = e.code === 'LIMIT_EXCEEDED' && rest.retry_after !== undefined ? 429 : STATUS[e.code];
  // The details come first: a detail that happens to be called `status` or `code` must never
  // overwrite the problem's own members (an error reported as 200).
  return {
    ...rest,
    type: `/api/docs#problem-${e.code.toLowerCase()}`,
    title: TITLE[e.code],
    status,
    code: e.code,
    detail: e.message,
    request_id: requestId,
    ...(fields ? { errors: fields } : {}),
  };
}

export function problemResponse(c: Context, problem: Problem): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (problem.status === 429 && typeof problem.retry_after === 'number') headers['retry-after'] = String(problem.retry_after);
  return c.newResponse(JSON.stringify(problem), problem.status as 400, headers);
}
