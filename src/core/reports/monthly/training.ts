/** Training in a month: the programme's progress, the month's sessions and who came. */
import { sql, type SQL } from 'drizzle-orm';
import type { TrainingSection, TrainingSessionLine } from '../types.ts';
import { endInstant, startInstant, type Month } from '../rules.ts';
import { bool, contactNameOf, msOf, num, str, type Raw } from './db.ts';
import { uuidArray } from '../../sql-arrays.ts';
import { percent } from './exact.ts';

type Attendee = { contact_id: string; name: string; attended: boolean };

export type SessionRow = {
  id: string;
  engagement_id: string;
  session_number: number | null;
  title: string | null;
  status: string;
  /** Epoch milliseconds. */
  scheduled: number | null;
  completed: number | null;
  people: Attendee[];
};

/** Every session of the engagements with its attendance rows (as a JSON array per session). */
export function sessionSource(ids: readonly string[]): SQL {
  return sql`select s.id, s.engagement_id, s.session_number, s.title, s.status, ${msOf('s.scheduled_date')} as scheduled,
      ${msOf('s.completed_date')} as completed,
      coalesce((select json_agg(json_build_object('contact_id', a.contact_id, 'name', ${contactNameOf('a.contact_id')}, 'attended', a.attended))
        from training_attendance a
        where a.session_id = s.id and a.archived_at is null), '[]'::json) as people
    from training_sessions s
    where s.engagement_id = any(${uuidArray(ids)}) and s.archived_at is null`;
}

const order = (x: number | null, y: number | null) => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x - y);

/** In programme order: by date (scheduled, else completed), then number. */
export function readSessions(rows: Raw[]): SessionRow[] {
  return rows
    .map((r) => {
      const people = (typeof r.people === 'string' ? JSON.parse(r.people) : r.people) as { contact_id: string; name: string; attended: unknown }[];
      return {
        id: String(r.id),
        engagement_id: String(r.engagement_id),
        session_number: num(r.session_number),
        title: str(r.title),
        status: String(r.status),
        scheduled: num(r.scheduled),
        completed: num(r.completed),
        people: people.map((p) => ({ contact_id: p.contact_id, name: p.name, attended: bool(p.attended) })),
      };
    })
    .sort((a, b) => order(a.scheduled ?? a.completed, b.scheduled ?? b.completed) || order(a.session_number, b.session_number) || a.id.localeCompare(b.id));
}

const bounds = (m: Month) => ({ from: Date.parse(startInstant(m)), to: Date.parse(endInstant(m)) });
const within = (ms: number | null, b: { from: number; to: number }) => ms !== null && ms >= b.from && ms < b.to;
/** When a completed session happened: its completed date, else the date it was scheduled for. */
const doneAt = (s: SessionRow) => (s.status === 'completed' ? (s.completed ?? s.scheduled) : null);

const completedIn = (sessions: readonly SessionRow[], m: Month) => {
  const b = bounds(m);
  return sessions.filter((s) => within(doneAt(s), b));
};

/** Attended ÷ invited over the month's completed sessions; null when none had anyone invited. */
export function attendanceRate(sessions: readonly SessionRow[], month: Month): string | null {
  let invited = 0;
  let attended = 0;
  for (const s of completedIn(sessions, month)) {
    invited += s.people.length;
    attended += s.people.filter((p) => p.attended).length;
  }
  return percent(attended, invited);
}

export function trainingSection(sessions: readonly SessionRow[], month: Month): TrainingSection {
  const b = bounds(month);
  const lines: TrainingSessionLine[] = sessions
    .filter((s) => within(s.scheduled, b) || within(doneAt(s), b))
    .map((s) => ({
      id: s.id,
      session_number: s.session_number,
      title: s.title,
      scheduled_date: s.scheduled === null ? null : new Date(s.scheduled).toISOString(),
      status: s.status,
      invited: s.people.length,
      attended: s.people.filter((p) => p.attended).length,
    }));
  const people = new Map<string, { name: string; invited: number; attended: number }>();
  for (const s of completedIn(sessions, month)) {
    for (const p of s.people) {
      const e = people.get(p.contact_id) ?? { name: p.name, invited: 0, attended: 0 };
      e.invited++;
      if (p.attended) e.attended++;
      people.set(p.contact_id, e);
    }
  }
  return {
    sessions_planned: sessions.filter((s) => s.status !== 'cancelled').length,
    sessions_completed_to_date: sessions.filter((s) => {
      const at = doneAt(s);
      return at !== null && at < b.to;
    }).length,
    sessions: lines,
    attendance_rate: attendanceRate(sessions, month),
    people: [...people.entries()]
      .map(([contact_id, p]) => ({ contact_id, ...p }))
      .sort((x, y) => x.name.localeCompare(y.name) || x.contact_id.localeCompare(y.contact_id)),
  };
}
