CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "settings" ADD CONSTRAINT "settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Processes cache credentials and settings; a change to any of them tells every process
-- (on commit) to drop its cache, whichever code path made the change.
CREATE FUNCTION "throughline_access_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('throughline_access', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_access_changed" AFTER UPDATE OR DELETE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "throughline_access_changed"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_access_changed" AFTER UPDATE OF "revoked_at", "expires_at", "role", "archived_at", "user_id", "key_hash", "prefix" OR DELETE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "throughline_access_changed"();
--> statement-breakpoint
CREATE TRIGGER "sessions_access_changed" AFTER UPDATE OF "revoked_at", "expires", "user_id", "token_hash" OR DELETE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION "throughline_access_changed"();
--> statement-breakpoint
CREATE TRIGGER "settings_access_changed" AFTER INSERT OR UPDATE OR DELETE ON "settings" FOR EACH STATEMENT EXECUTE FUNCTION "throughline_access_changed"();
--> statement-breakpoint
-- The audit log is append-only for everyone, the application included.
CREATE FUNCTION "throughline_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: its rows cannot be changed or deleted' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "throughline_audit_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "throughline_audit_log_append_only"();
