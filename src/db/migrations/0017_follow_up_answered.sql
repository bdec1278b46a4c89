DROP INDEX "interactions_follow_up_idx";--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "follow_up_answered" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "interactions_follow_up_open_idx" ON "interactions" USING btree ("follow_up_date") WHERE "interactions"."follow_up_date" is not null and "interactions"."archived_at" is null and not "interactions"."follow_up_answered";--> statement-breakpoint
-- Whether a later interaction has answered a follow-up, stored instead of searched for on every
-- read: the follow-up inbox (core/sales/workflow.ts, followUpsDue) checked each candidate against
-- the later interactions of its thread, tens of thousands of index probes per request on a busy
-- database. A thread is the company; for an interaction without one, its lead; without either,
-- its contact. An interaction with none of the three is never answered.
CREATE OR REPLACE FUNCTION "throughline_follow_up_answered"("p_id" uuid, "p_company" uuid, "p_lead" uuid, "p_contact" uuid, "p_date" timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_company IS NOT NULL THEN EXISTS (SELECT 1 FROM interactions j
      WHERE j.company_id = p_company AND j.interaction_date > p_date AND j.archived_at IS NULL AND j.id <> p_id)
    WHEN p_lead IS NOT NULL THEN EXISTS (SELECT 1 FROM interactions j
      WHERE j.lead_id = p_lead AND j.interaction_date > p_date AND j.archived_at IS NULL AND j.id <> p_id)
    WHEN p_contact IS NOT NULL THEN EXISTS (SELECT 1 FROM interactions j
      WHERE j.contact_id = p_contact AND j.interaction_date > p_date AND j.archived_at IS NULL AND j.id <> p_id)
    ELSE false
  END
$$;
--> statement-breakpoint
-- Recomputes the marker of every follow-up in the given threads (and of the given rows). Writers
-- of one thread take turns on an advisory lock, and each statement after it reads a fresh
-- snapshot, so two interactions logged at once for one company always see each other. A bulk
-- write (an import chunk) naming more than 64 threads takes the lock of all threads instead of
-- filling the lock table.
CREATE OR REPLACE FUNCTION "throughline_follow_up_refresh"("company_ids" uuid[], "lead_ids" uuid[], "contact_ids" uuid[], "row_ids" uuid[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  keys int[];
BEGIN
  SELECT array_agg(DISTINCT h ORDER BY h) INTO keys FROM (
    SELECT hashtext('company:' || e) AS h FROM unnest(company_ids) AS e
    UNION ALL SELECT hashtext('lead:' || e) FROM unnest(lead_ids) AS e
    UNION ALL SELECT hashtext('contact:' || e) FROM unnest(contact_ids) AS e) AS s;
  IF coalesce(cardinality(keys), 0) > 64 THEN
    PERFORM pg_advisory_xact_lock(1718972528, 0);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(1718972528, 0);
    PERFORM pg_advisory_xact_lock(1718972529, h) FROM unnest(keys) AS h;
  END IF;
  UPDATE interactions i SET follow_up_answered = a.answered
  FROM (SELECT c.id, throughline_follow_up_answered(c.id, c.company_id, c.lead_id, c.contact_id, c.interaction_date) AS answered
          FROM interactions c
         WHERE c.follow_up_date IS NOT NULL
           AND (c.company_id = ANY (company_ids)
                OR (c.company_id IS NULL AND c.lead_id = ANY (lead_ids))
                OR (c.company_id IS NULL AND c.lead_id IS NULL AND c.contact_id = ANY (contact_ids))
                OR c.id = ANY (row_ids))) AS a
  WHERE i.id = a.id AND i.follow_up_answered IS DISTINCT FROM a.answered;
END
$$;
--> statement-breakpoint
-- After each statement that writes interactions: the threads its rows were in and are in now.
-- An update that touches none of the columns the marker depends on (the marker's own update
-- among them) changes nothing.
CREATE OR REPLACE FUNCTION "throughline_interactions_follow_up"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  co uuid[];
  le uuid[];
  ct uuid[];
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT company_id) FILTER (WHERE company_id IS NOT NULL),
           array_agg(DISTINCT lead_id) FILTER (WHERE lead_id IS NOT NULL),
           array_agg(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL),
           array_agg(id) FILTER (WHERE follow_up_date IS NOT NULL)
      INTO co, le, ct, ids FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT company_id) FILTER (WHERE company_id IS NOT NULL),
           array_agg(DISTINCT lead_id) FILTER (WHERE lead_id IS NOT NULL),
           array_agg(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL)
      INTO co, le, ct FROM old_rows;
  ELSE
    WITH changed AS (
      SELECT o.id, o.company_id AS oco, o.lead_id AS ole, o.contact_id AS oct, n.company_id AS nco, n.lead_id AS nle, n.contact_id AS nct
        FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE (o.interaction_date, o.archived_at, o.company_id, o.lead_id, o.contact_id, o.follow_up_date)
             IS DISTINCT FROM (n.interaction_date, n.archived_at, n.company_id, n.lead_id, n.contact_id, n.follow_up_date))
    SELECT (SELECT array_agg(DISTINCT e) FROM changed, unnest(array[oco, nco]) AS e WHERE e IS NOT NULL),
           (SELECT array_agg(DISTINCT e) FROM changed, unnest(array[ole, nle]) AS e WHERE e IS NOT NULL),
           (SELECT array_agg(DISTINCT e) FROM changed, unnest(array[oct, nct]) AS e WHERE e IS NOT NULL),
           (SELECT array_agg(id) FROM changed)
      INTO co, le, ct, ids;
  END IF;
  IF co IS NULL AND le IS NULL AND ct IS NULL AND ids IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM throughline_follow_up_refresh(coalesce(co, '{}'), coalesce(le, '{}'), coalesce(ct, '{}'), coalesce(ids, '{}'));
  RETURN NULL;
END
$$;
--> statement-breakpoint
UPDATE "interactions" c SET "follow_up_answered" = throughline_follow_up_answered(c.id, c.company_id, c.lead_id, c.contact_id, c.interaction_date)
 WHERE c.follow_up_date IS NOT NULL;
--> statement-breakpoint
CREATE TRIGGER "interactions_follow_up_insert" AFTER INSERT ON "interactions" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "throughline_interactions_follow_up"();
--> statement-breakpoint
CREATE TRIGGER "interactions_follow_up_update" AFTER UPDATE ON "interactions" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "throughline_interactions_follow_up"();
--> statement-breakpoint
CREATE TRIGGER "interactions_follow_up_delete" AFTER DELETE ON "interactions" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "throughline_interactions_follow_up"();
