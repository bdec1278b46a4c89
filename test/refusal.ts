/** What a refused core call threw: asserts it is an AppError (a refusal, never a crash) and returns it. */
import { expect } from 'vitest';
import { AppError } from '../src/core/errors.ts';

export async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}
