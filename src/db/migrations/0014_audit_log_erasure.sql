-- The audit log stays append-only, with one exception: an erasure (core/privacy/erasure.ts)
-- may blank the personal data in existing rows (their before/after, address and user agent),
-- never delete a row. It says so for its own transaction only, with
-- set_config('throughline.erasure', 'on', true); everyone else is refused as before.
CREATE OR REPLACE FUNCTION "throughline_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND coalesce(current_setting('throughline.erasure', true), '') = 'on'
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.table_name = OLD.table_name
     AND NEW.record_id IS NOT DISTINCT FROM OLD.record_id AND NEW.actor_type = OLD.actor_type
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: its rows cannot be changed or deleted' USING ERRCODE = 'insufficient_privilege';
END
$$;
