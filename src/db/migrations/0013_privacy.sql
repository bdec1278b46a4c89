CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid,
	"lead_id" uuid,
	"purpose" text NOT NULL,
	"granted_at" timestamp (3) with time zone NOT NULL,
	"method" text NOT NULL,
	"evidence" text,
	"recorded_by" uuid,
	"withdrawn_at" timestamp (3) with time zone,
	"withdrawal_method" text,
	"withdrawal_note" text,
	"withdrawn_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_subject_check" CHECK (num_nonnulls("consents"."contact_id", "consents"."lead_id") = 1),
	CONSTRAINT "consents_withdrawal_check" CHECK (("consents"."withdrawn_at" is null) = ("consents"."withdrawal_method" is null)),
	CONSTRAINT "consents_purpose_check" CHECK ("consents"."purpose" in ('marketing_email', 'survey', 'usage_tracking')),
	CONSTRAINT "consents_method_check" CHECK ("consents"."method" in ('form', 'email', 'in_person', 'phone', 'import')),
	CONSTRAINT "consents_withdrawn_at_check" CHECK ("consents"."withdrawn_at" is null or "consents"."granted_at" is null or "consents"."withdrawn_at" >= "consents"."granted_at"),
	CONSTRAINT "consents_withdrawal_method_check" CHECK ("consents"."withdrawal_method" in ('form', 'email', 'in_person', 'phone', 'import'))
);
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_action_check";--> statement-breakpoint
ALTER TABLE "email_queue" DROP CONSTRAINT "email_queue_template_check";--> statement-breakpoint
ALTER TABLE "email_queue" DROP CONSTRAINT "email_queue_status_check";--> statement-breakpoint
ALTER TABLE "email_queue" ADD COLUMN "purpose" text;--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "erased_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "erased_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "erased_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_withdrawn_by_users_id_fk" FOREIGN KEY ("withdrawn_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_contact_idx" ON "consents" USING btree ("contact_id","purpose");--> statement-breakpoint
CREATE INDEX "consents_lead_idx" ON "consents" USING btree ("lead_id","purpose");--> statement-breakpoint
CREATE UNIQUE INDEX "consents_contact_active_key" ON "consents" USING btree ("contact_id","purpose") WHERE "consents"."withdrawn_at" is null and "consents"."contact_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "consents_lead_active_key" ON "consents" USING btree ("lead_id","purpose") WHERE "consents"."withdrawn_at" is null and "consents"."lead_id" is not null;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_action_check" CHECK ("audit_log"."action" in ('create', 'update', 'archive', 'restore', 'delete', 'status_change', 'refused', 'tool_call', 'export', 'erase', 'purge'));--> statement-breakpoint
ALTER TABLE "email_queue" ADD CONSTRAINT "email_queue_purpose_check" CHECK ("email_queue"."purpose" in ('marketing_email'));--> statement-breakpoint
ALTER TABLE "email_queue" ADD CONSTRAINT "email_queue_template_check" CHECK ("email_queue"."template" in ('welcome', 'assessment_results', 'roi_report', 'follow_up', 'meeting_reminder', 'outreach', 'campaign'));--> statement-breakpoint
ALTER TABLE "email_queue" ADD CONSTRAINT "email_queue_status_check" CHECK ("email_queue"."status" in ('pending', 'sending', 'sent', 'failed', 'dead', 'cancelled'));