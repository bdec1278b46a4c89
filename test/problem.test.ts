/** The problem+json body: an error's details never overwrite its own status, code or detail. */
import { describe, expect, it } from 'vitest';
import { toProblem } from '../src/api/problem.ts';
import { AppError } from '../src/core/errors.ts';

describe('problem+json', () => {
  it('keeps status, code and detail when a detail has the same name', () => {
    const e = new AppError('CONFLICT', 'the proposal is accepted already', { details: { status: 'accepted', code: 'x', detail: 'y', allowed: [] } });
    const p = toProblem(e, 'req-1', () => {});
    expect(p).toMatchObject({ status: 409, code: 'CONFLICT', detail: 'the proposal is accepted already', request_id: 'req-1', allowed: [] });
  });

  it('hides anything that is not an AppError behind a request id', () => {
    const logged: unknown[] = [];
    const p = toProblem(new Error('select * from secrets'), 'req-2', (_m, err) => logged.push(err));
    expect(p).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(p)).not.toContain('secrets');
    expect(logged).toHaveLength(1);
  });
});
