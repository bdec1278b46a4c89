/** The problem+json body: an error's details never overwrite its own status, code or detail. */
import { describe, expect, it } from 'vitest';
import { toProblem } from '../src/api/problem.ts';
import { AppError } from '../src/core/errors.ts';
import { mapDbError } from '../src/db/errors.ts';

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

  it('names the column of a duplicate key, and for a key over several columns the one chosen within the others', () => {
    const dup = (detail: string) => mapDbError({ code: '23505', detail, table: 't' }) as AppError;
    expect(dup('Key (lower(email))=(a@b.c) already exists.')).toMatchObject({ code: 'CONFLICT', message: 'A record with this email already exists', details: { fields: [{ field: 'email', message: 'already exists' }] } });
    const pair = dup('Key (event_id, contact_id)=(1, 2) already exists.');
    expect(pair.message).toBe('A record with this event_id and contact_id already exists');
    expect(pair.details.fields).toEqual([{ field: 'contact_id', message: 'already exists' }]);
    expect(dup('Key (campaign_id, target_type, target_id)=(1, lead, 2) already exists.').details.fields).toEqual([{ field: 'target_id', message: 'already exists' }]);
  });
});
