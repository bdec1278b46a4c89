/**
 * Training (seed 000 steps 16–17): who is invited to a session, the brief to read before it,
 * attendance and notes after it, and completing it.
 *
 * Rules:
 * - invitees are contacts of the engagement's company; inviting someone already invited is
 *   a no-op reported as such (an archived invitation is restored); a completed or cancelled
 *   session takes no invitations;
 * - attendance is recorded only for people invited (anyone else is a field error), all
 *   rows of a request or none; a cancelled session takes none;
 * - a session is completed only once every invited person's attendance is recorded
 *   (attended true or false), so no attendance is lost; completed_date defaults to now and
 *   is not in the future;
 * - the brief shows, per invited person the caller may see: who they are, their survey
 *   answers (pre-training first, then audit), their tasks (this engagement's, or mapped
 *   before it existed), the distinct software those tasks use, and their attendance in the
 *   engagement's earlier sessions (by session_number, else by scheduled date) with the last
 *   notes.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, nestedFields, notFound, type FieldError } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, recordFields, validateCreate, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { uuidArray } from '../sql-arrays.ts';

const sessionsRes = () => resource('training_sessions');
const attendanceRes = () => resource('training_attendance');

const pathId = z.string().max(200).describe('the training session');
type Rows<T> = { rows: T[] };
const rowsOf = async <T>(ctx: Ctx, q: ReturnType<typeof sql>) => ((await ctx.db.execute(q)) as unknown as Rows<T>).rows;

/** The session, locked for the write, with its engagement's company. */
async function sessionForWrite(ctx: Ctx, id: string): Promise<{ session: Row; companyId: string }> {
  const session = await fetchRow(ctx, sessionsRes(), id, true);
  if (!session) throw notFound('training session', id);
  if (session.archived_at !== null) throw new AppError('CONFLICT', `training session ${id} is archived; restore it first`);
  const [e] = await rowsOf<{ company_id: string }>(ctx, sql`select company_id from engagements where id = ${session.engagement_id as string}::uuid`);
  return { session, companyId: e!.company_id };
}

// ---------------------------------------------------------------------------
// Invite

export const InviteInput = z.strictObject({
  id: pathId,
  contact_ids: z.array(z.uuid({ message: 'must be a UUID' })).min(1, 'name at least one contact').max(200, 'at most 200 contacts at a time'),
});
export type InviteInput = z.infer<typeof InviteInput>;

export async function inviteToSession(ctx: Ctx, input: InviteInput) {
  return withTx(ctx, async (tx) => {
    const { session, companyId } = await sessionForWrite(tx, input.id);
    if (session.status === 'completed' || session.status === 'cancelled') {
      throw new AppError('CONFLICT', `training session ${input.id} is ${String(session.status)}; it takes no more invitations`);
    }
    const ids = [...new Set(input.contact_ids.map((c) => c.toLowerCase()))];
    const scope = await visibilityScope(tx);
    const visible = visibleCondition(resource('contacts'), scope, 'c') ?? sql`true`;
    const contacts = await rowsOf<{ id: string; name: string; company_id: string | null; archived_at: unknown }>(
      tx,
      sql`select c.id, c.name, c.company_id, c.archived_at from contacts c where c.id = any(${uuidArray(ids)}) and ${visible}`,
    );
    const byId = new Map(contacts.map((c) => [c.id, c]));
    const errors: FieldError[] = [];
    input.contact_ids.forEach((raw, i) => {
      const c = byId.get(raw.toLowerCase());
      if (!c) errors.push({ field: `contact_ids[${i}]`, message: 'does not name a contact that you can see' });
      else if (c.archived_at !== null) errors.push({ field: `contact_ids[${i}]`, message: 'names an archived contact' });
      else if (c.company_id !== companyId) errors.push({ field: `contact_ids[${i}]`, message: "names a contact of another company than the engagement's" });
    });
    if (errors.length) throw invalid(errors);

    const existing = await rowsOf<Row>(
      tx,
      sql`select id, contact_id, archived_at from training_attendance where session_id = ${input.id}::uuid and contact_id = any(${uuidArray(ids)}) for update`,
    );
    const had = new Map(existing.map((r) => [r.contact_id as string, r]));
    const invited: string[] = [];
    const already: string[] = [];
    for (const id of ids) {
      const row = had.get(id);
      if (!row) {
        await insertRecord(tx, attendanceRes(), { session_id: input.id, contact_id: id }, 'delivery.invite_to_session');
        invited.push(id);
      } else if (row.archived_at !== null) {
        await restoreAttendance(tx, row);
        invited.push(id);
      } else {
        already.push(id);
      }
    }
    const attendance = await rowsOf<Row>(
      tx,
      sql`select a.id, a.contact_id, c.name, a.attended from training_attendance a join contacts c on c.id = a.contact_id
          where a.session_id = ${input.id}::uuid and a.archived_at is null order by c.name, a.id`,
    );
    return { session_id: input.id, invited, already_invited: already, attendance };
  });
}

// ---------------------------------------------------------------------------
// Schedule: the session and its invitations in one act (step 16)

export const ScheduleSessionInput = z.strictObject({
  session: recordFields('training_sessions'),
  contact_ids: InviteInput.shape.contact_ids.optional().describe('who to invite: contacts of the engagement\'s company'),
});
export type ScheduleSessionInput = z.infer<typeof ScheduleSessionInput>;

export async function scheduleSession(ctx: Ctx, input: ScheduleSessionInput) {
  const values = nestedFields('session', () => validateCreate(sessionsRes(), input.session));
  return withTx(ctx, async (tx) => {
    const session = await insertRecord(tx, sessionsRes(), values, 'delivery.schedule_session');
    if (!input.contact_ids?.length) return { session, invited: [], attendance: [] };
    const { invited, attendance } = await inviteToSession(tx, { id: session.id as string, contact_ids: input.contact_ids });
    return { session, invited, attendance };
  });
}

/** An invitation withdrawn earlier (archived) comes back, attendance unknown again. */
async function restoreAttendance(ctx: Ctx, row: Row): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.execute(sql`
    update training_attendance set archived_at = null, attended = null, updated_at = ${now}::timestamptz, version = version + 1
    where id = ${row.id as string}::uuid`);
  await writeAudit(ctx, {
    action: 'restore',
    table: 'training_attendance',
    recordId: row.id as string,
    operation: 'delivery.invite_to_session',
    before: { archived_at: new Date(String(row.archived_at)) },
    after: { archived_at: null, attended: null },
  });
}

// ---------------------------------------------------------------------------
// Attendance

const note = z.string().max(10_000, 'must be at most 10000 characters').nullable().optional();

export const RecordAttendanceInput = z.strictObject({
  id: pathId,
  attendance: z
    .array(
      z.strictObject({
        contact_id: z.uuid({ message: 'must be a UUID' }),
        attended: z.boolean({ message: 'must be true or false' }),
        progress: note,
        struggles: note,
        follow_ups: note,
        session_notes: note,
      }),
    )
    .min(1, 'record at least one person')
    .max(500, 'at most 500 people at a time'),
});
export type RecordAttendanceInput = z.infer<typeof RecordAttendanceInput>;

export async function recordAttendance(ctx: Ctx, input: RecordAttendanceInput) {
  return withTx(ctx, async (tx) => {
    const { session } = await sessionForWrite(tx, input.id);
    if (session.status === 'cancelled') throw new AppError('CONFLICT', `training session ${input.id} is cancelled; nobody attended it`);
    const rows = await rowsOf<{ id: string; contact_id: string }>(
      tx,
      sql`select id, contact_id from training_attendance where session_id = ${input.id}::uuid and archived_at is null`,
    );
    const byContact = new Map(rows.map((r) => [r.contact_id, r.id]));
    const errors: FieldError[] = [];
    const seenIds = new Set<string>();
    input.attendance.forEach((a, i) => {
      const key = a.contact_id.toLowerCase();
      if (seenIds.has(key)) errors.push({ field: `attendance[${i}].contact_id`, message: 'is given twice' });
      else if (!byContact.has(key)) errors.push({ field: `attendance[${i}].contact_id`, message: 'was not invited to this session; invite them first' });
      seenIds.add(key);
    });
    if (errors.length) throw invalid(errors);
    const updated: Row[] = [];
    for (const { contact_id, ...changes } of input.attendance) {
      const values = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      updated.push(await applyUpdate(tx, attendanceRes(), byContact.get(contact_id.toLowerCase())!, values, { operation: 'delivery.record_attendance' }));
    }
    const [pending] = await rowsOf<{ n: number }>(
      tx,
      sql`select count(*)::int as n from training_attendance where session_id = ${input.id}::uuid and archived_at is null and attended is null`,
    );
    return { session_id: input.id, attendance: updated, still_unrecorded: pending!.n };
  });
}

// ---------------------------------------------------------------------------
// Complete

export const CompleteSessionInput = z.strictObject({
  id: pathId,
  completed_date: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z' })
    .optional()
    .describe('when it happened (default now; not in the future)'),
});
export type CompleteSessionInput = z.infer<typeof CompleteSessionInput>;

export async function completeSession(ctx: Ctx, input: CompleteSessionInput) {
  return withTx(ctx, async (tx) => {
    const { session } = await sessionForWrite(tx, input.id);
    if (session.status === 'completed' || session.status === 'cancelled') {
      throw new AppError('CONFLICT', `training session ${input.id} is already ${String(session.status)}`);
    }
    const now = tx.now();
    const at = input.completed_date ? new Date(input.completed_date) : now;
    if (at.getTime() > now.getTime()) throw invalid([{ field: 'completed_date', message: 'is in the future' }]);
    const missing = await rowsOf<{ contact_id: string; name: string }>(
      tx,
      sql`select a.contact_id, c.name from training_attendance a join contacts c on c.id = a.contact_id
          where a.session_id = ${input.id}::uuid and a.archived_at is null and a.attended is null order by c.name, c.id`,
    );
    if (missing.length) {
      throw new AppError(
        'VALIDATION',
        `attendance: not recorded for ${missing.map((m) => m.name).join(', ')}; record it (delivery.record_attendance) before completing the session`,
        {
          details: {
            fields: [{ field: 'attendance', message: `not recorded for ${missing.map((m) => m.name).join(', ')}` }],
            missing,
          },
        },
      );
    }
    const updated = await applyUpdate(tx, sessionsRes(), input.id, { status: 'completed', completed_date: at }, { operation: 'delivery.complete_session' });
    return { session: updated };
  });
}

// ---------------------------------------------------------------------------
// The pre-session brief

export const TrainingBriefInput = z.strictObject({ id: pathId });
export type TrainingBriefInput = z.infer<typeof TrainingBriefInput>;

/** `Excel, Buildsoft / email; Excel` → Buildsoft, email, Excel (first spelling kept, case-insensitive). */
export function distinctSoftware(values: (string | null)[]): string[] {
  const out = new Map<string, string>();
  for (const v of values) {
    for (const part of (v ?? '').split(/[,;/\n]|\s+and\s+|\s*&\s*/i)) {
      const name = part.trim();
      if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), name);
    }
  }
  return [...out.values()].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
}

type Attendee = { attendance_id: string; contact_id: string; attended: boolean | null; name: string; role_title: string | null; role_description: string | null; department: string | null };

export async function trainingBrief(ctx: Ctx, input: TrainingBriefInput) {
  const session = await getRecord(ctx, sessionsRes(), input.id);
  const engagementId = session.engagement_id as string;
  const scope = await visibilityScope(ctx);
  const visible = visibleCondition(resource('contacts'), scope, 'c') ?? sql`true`;
  const all = await rowsOf<Attendee & { visible: boolean }>(ctx, sql`
    select a.id as attendance_id, a.contact_id, a.attended, c.name, c.role_title, c.role_description, c.department, (${visible}) as visible
    from training_attendance a join contacts c on c.id = a.contact_id
    where a.session_id = ${input.id}::uuid and a.archived_at is null
    order by c.name, c.id`);
  const people = all.filter((p) => p.visible);
  const ids = people.map((p) => p.contact_id);
  const [engagement] = await rowsOf<Row>(ctx, sql`select e.id, e.name, e.company_id from engagements e where e.id = ${engagementId}::uuid`);
  if (!ids.length) return { session: sessionView(session), engagement, attendees: [], not_visible: all.length };

  const list = uuidArray(ids);
  const answers = await rowsOf<{ contact_id: string; survey_type: string; question: string; answer: string; completed_on: string | null }>(ctx, sql`
    select contact_id, survey_type, question, answer, survey_completed_date::text as completed_on
    from survey_responses
    where contact_id = any(${list}) and archived_at is null and answer is not null
    order by case survey_type when 'pre_training' then 0 else 1 end, created_at, id`);
  type TaskRow = Row & { contact_id: string; software_used: string | null; assets: unknown };
  const tasks = await rowsOf<TaskRow>(ctx, sql`
    select t.id, t.contact_id, t.task_name, t.frequency, t.software_used, t.key_challenges, t.time_before_ai, t.time_after_ai,
      t.time_saved_minutes, t.ai_adoption_status, t.included_in_training,
      coalesce((select json_agg(json_build_object('id', x.id, 'kind', x.kind, 'name', x.name) order by x.kind, x.name)
        from task_ai_assets l join ai_assets x on x.id = l.asset_id and x.archived_at is null
        where l.task_id = t.id and l.archived_at is null), '[]'::json) as assets
    from contact_tasks t
    where t.contact_id = any(${list}) and t.archived_at is null and (t.engagement_id is null or t.engagement_id = ${engagementId}::uuid)
    order by t.included_in_training desc, t.time_before_ai desc nulls last, t.task_name, t.id`);
  // Earlier: a lower session_number when both have one, else an earlier scheduled date.
  const earlier = await rowsOf<{ contact_id: string; session_number: number | null; title: string | null; attended: boolean | null; progress: string | null; struggles: string | null; follow_ups: string | null; session_notes: string | null }>(ctx, sql`
    select a.contact_id, s.session_number, s.title, a.attended, a.progress, a.struggles, a.follow_ups, a.session_notes
    from training_attendance a
    join training_sessions s on s.id = a.session_id
    join training_sessions cur on cur.id = ${input.id}::uuid
    where a.contact_id = any(${list}) and a.archived_at is null and s.archived_at is null
      and s.engagement_id = cur.engagement_id and s.id <> cur.id and s.status <> 'cancelled'
      and case when s.session_number is not null and cur.session_number is not null then s.session_number < cur.session_number
               else s.scheduled_date < cur.scheduled_date end
    order by s.session_number nulls first, s.scheduled_date nulls first, s.id`);

  const attendees = people.map(({ visible: _v, ...p }) => {
    const mine = tasks
      .filter((t) => t.contact_id === p.contact_id)
      .map(({ contact_id: _c, assets, ...t }) => ({ ...t, assets: (typeof assets === 'string' ? JSON.parse(assets) : assets) as Row[] }));
    const past = earlier.filter((e) => e.contact_id === p.contact_id);
    const lastNotes = [...past].reverse().find((e) => e.progress || e.struggles || e.follow_ups || e.session_notes);
    return {
      ...p,
      survey: answers.filter((a) => a.contact_id === p.contact_id).map(({ contact_id: _c, ...a }) => a),
      tasks: mine,
      software: distinctSoftware(mine.map((t) => t.software_used)),
      earlier_sessions: {
        invited: past.length,
        attended: past.filter((e) => e.attended === true).length,
        missed: past.filter((e) => e.attended === false).length,
        last_notes: lastNotes
          ? { session_number: lastNotes.session_number, title: lastNotes.title, progress: lastNotes.progress, struggles: lastNotes.struggles, follow_ups: lastNotes.follow_ups, session_notes: lastNotes.session_notes }
          : null,
      },
    };
  });
  return { session: sessionView(session), engagement, attendees, not_visible: all.length - people.length };
}

function sessionView(s: Row) {
  const { id, engagement_id, session_number, title, scheduled_date, completed_date, status, delivered_by, location, duration_minutes } = s;
  return { id, engagement_id, session_number, title, scheduled_date, completed_date, status, delivered_by, location, duration_minutes };
}
