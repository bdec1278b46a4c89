/**
 * Gap-free yearly numbers (TKT-2026-001, INV-2026-001). The counter row is bumped inside
 * the transaction that inserts the document, so concurrent creators queue on the row
 * lock and a rollback gives the number back: no gaps, no duplicates.
 */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';

const PREFIX = { ticket: 'TKT', invoice: 'INV' } as const;
export type DocumentKind = keyof typeof PREFIX;

export async function nextDocumentNumber(ctx: Ctx, kind: DocumentKind, year: number): Promise<string> {
  const result = (await ctx.db.execute(sql`
    insert into document_sequences (kind, year, last_value) values (${kind}, ${year}, 1)
    on conflict (kind, year) do update
      set last_value = document_sequences.last_value + 1, updated_at = now()
    returning last_value`)) as unknown as { rows: { last_value: number }[] };
  const n = result.rows[0]!.last_value;
  return `${PREFIX[kind]}-${year}-${String(n).padStart(3, '0')}`;
}
