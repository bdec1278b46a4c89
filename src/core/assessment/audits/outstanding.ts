/** Seed 000 step 5: who is still outstanding against the org chart. */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { getRecord } from '../../resource.ts';
import type { SurveyType } from './rules.ts';
import { auditsRes } from './shared.ts';

export type OutstandingInput = { id: string; survey_type?: SurveyType | undefined };

type Person = { contact_id: string; name: string; role_title: string | null; department: string | null; email: string | null; has_email: boolean };

/**
 * Against the org chart (the company's unarchived, active contacts), each person is in
 * exactly one group: completed; awaiting (sent, not completed); not_sent (has an email on
 * file, never sent the link); no_email (no email on file and never sent the link — they
 * need the link another way). Outstanding = no_email + not_sent + awaiting.
 */
export async function auditOutstanding(ctx: Ctx, input: OutstandingInput) {
  const type: SurveyType = input.survey_type ?? 'audit';
  const audit = await getRecord(ctx, auditsRes(), input.id);
  const scope = type === 'audit' ? sql`and sr.audit_id = ${audit.id as string}::uuid` : sql``;
  const r = (await ctx.db.execute(sql`
    select c.id as contact_id, c.name, c.role_title, c.department, c.email, c.has_email,
           coalesce(bool_or(sr.survey_sent or sr.survey_completed), false) as sent,
           coalesce(bool_or(sr.survey_completed), false) as completed,
           min(sr.survey_sent_date)::text as sent_date,
           max(sr.survey_completed_date)::text as completed_date
    from contacts c
    left join survey_responses sr on sr.contact_id = c.id and sr.survey_type = ${type} and sr.archived_at is null ${scope}
    where c.company_id = ${audit.company_id as string}::uuid and c.archived_at is null and c.is_active
    group by c.id
    order by lower(c.name), c.id`)) as unknown as {
    rows: (Person & { sent: boolean; completed: boolean; sent_date: string | null; completed_date: string | null })[];
  };
  const person = (x: (typeof r.rows)[number]): Person => ({
    contact_id: x.contact_id,
    name: x.name,
    role_title: x.role_title,
    department: x.department,
    email: x.email,
    has_email: x.has_email,
  });
  const noEmail = r.rows.filter((x) => !x.sent && !x.completed && !(x.email ?? '').trim());
  const notSent = r.rows.filter((x) => !x.sent && !x.completed && (x.email ?? '').trim());
  const awaiting = r.rows.filter((x) => x.sent && !x.completed);
  const completed = r.rows.filter((x) => x.completed);
  return {
    audit_id: audit.id as string,
    company_id: audit.company_id as string,
    survey_type: type,
    counts: {
      org_chart: r.rows.length,
      completed: completed.length,
      awaiting: awaiting.length,
      not_sent: notSent.length,
      no_email: noEmail.length,
      outstanding: noEmail.length + notSent.length + awaiting.length,
    },
    no_email: noEmail.map(person),
    not_sent: notSent.map(person),
    awaiting: awaiting.map((x) => ({ ...person(x), sent_date: x.sent_date })),
    completed: completed.map((x) => ({ ...person(x), completed_date: x.completed_date })),
  };
}
