CREATE TABLE "campaign_content_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"content_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"content_version" integer NOT NULL,
	"subject" text,
	"body" text,
	"asset_url" text,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_content_versions_content_version_check" CHECK ("campaign_content_versions"."content_version" > 0)
);
--> statement-breakpoint
CREATE TABLE "event_attendees" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"company_id" uuid,
	"status" text DEFAULT 'registered' NOT NULL,
	"role" text,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "event_attendees_status_check" CHECK ("event_attendees"."status" in ('invited', 'registered', 'attended', 'no_show', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "pipeline_stages" DROP CONSTRAINT "pipeline_stages_pipeline_check";--> statement-breakpoint
ALTER TABLE "status_history" DROP CONSTRAINT "status_history_entity_type_check";--> statement-breakpoint
ALTER TABLE "email_queue" DROP CONSTRAINT "email_queue_template_check";--> statement-breakpoint
ALTER TABLE "interactions" DROP CONSTRAINT "interactions_type_check";--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD COLUMN "spend" numeric(14, 2);--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD COLUMN "revenue" numeric(14, 2);--> statement-breakpoint
-- Cost per conversion was typed before; keep what it said as the period's spend.
UPDATE "campaign_metrics" SET "spend" = round("cost_per_conversion" * "conversions", 2) WHERE "cost_per_conversion" IS NOT NULL AND "conversions" > 0;--> statement-breakpoint
ALTER TABLE "campaign_metrics" DROP CONSTRAINT "campaign_metrics_cost_per_conversion_check";--> statement-breakpoint
ALTER TABLE "campaign_metrics" drop column "cost_per_conversion";--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD COLUMN "cost_per_conversion" numeric(14, 2) GENERATED ALWAYS AS (case when conversions > 0 and spend is not null then round(spend / conversions, 2) end) STORED;--> statement-breakpoint
ALTER TABLE "campaign_metrics" drop column "roi";--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD COLUMN "roi" numeric(20, 2) GENERATED ALWAYS AS (case when spend > 0 and revenue is not null then round((revenue - spend) * 100 / spend, 2) end) STORED;--> statement-breakpoint
ALTER TABLE "campaign_content_versions" ADD CONSTRAINT "campaign_content_versions_content_id_campaign_content_id_fk" FOREIGN KEY ("content_id") REFERENCES "public"."campaign_content"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_content_versions" ADD CONSTRAINT "campaign_content_versions_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_content_versions" ADD CONSTRAINT "campaign_content_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_content_versions_key" ON "campaign_content_versions" USING btree ("content_id","content_version");--> statement-breakpoint
CREATE INDEX "campaign_content_versions_campaign_idx" ON "campaign_content_versions" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "event_attendees_contact_key" ON "event_attendees" USING btree ("event_id","contact_id");--> statement-breakpoint
CREATE INDEX "event_attendees_event_idx" ON "event_attendees" USING btree ("event_id","status");--> statement-breakpoint
CREATE INDEX "event_attendees_contact_idx" ON "event_attendees" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "event_attendees_company_idx" ON "event_attendees" USING btree ("company_id");--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_pipeline_check" CHECK ("pipeline_stages"."pipeline" in ('company', 'lead', 'deal', 'engagement', 'campaign', 'campaign_target'));--> statement-breakpoint
ALTER TABLE "status_history" ADD CONSTRAINT "status_history_entity_type_check" CHECK ("status_history"."entity_type" in ('company', 'lead', 'deal', 'engagement', 'campaign', 'campaign_target'));--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD CONSTRAINT "campaign_metrics_spend_check" CHECK ("campaign_metrics"."spend" >= 0);--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD CONSTRAINT "campaign_metrics_revenue_check" CHECK ("campaign_metrics"."revenue" >= 0);;--> statement-breakpoint
ALTER TABLE "email_queue" ADD CONSTRAINT "email_queue_template_check" CHECK ("email_queue"."template" in ('welcome', 'assessment_results', 'roi_report', 'follow_up', 'meeting_reminder', 'outreach'));--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_type_check" CHECK ("interactions"."type" in ('cold_walk_in', 'cold_call', 'cold_email', 'linkedin_message', 'warm_intro', 'meeting', 'follow_up_call', 'follow_up_email', 'site_visit', 'call', 'email', 'note', 'task', 'assessment_completed', 'calculation_performed', 'status_updated', 'event', 'other'));--> statement-breakpoint
-- Campaign statuses (004: draft → scheduled → active → paused → completed) and each target's
-- progress (pending → sent → opened → clicked → converted) are pipelines, so moves are checked and timed.
INSERT INTO "pipeline_stages" ("pipeline", "key", "label", "position", "probability", "is_won", "is_lost", "next_statuses", "description") VALUES
('campaign', 'draft', 'Draft', 1, NULL, false, false, ARRAY['scheduled','active']::text[], 'Being prepared'),
('campaign', 'scheduled', 'Scheduled', 2, NULL, false, false, ARRAY['active','draft','paused']::text[], 'Ready, with a start date'),
('campaign', 'active', 'Active', 3, NULL, false, false, ARRAY['paused','completed']::text[], 'Running'),
('campaign', 'paused', 'Paused', 4, NULL, false, false, ARRAY['active','completed']::text[], 'Stopped for now'),
('campaign', 'completed', 'Completed', 5, NULL, false, false, '{}'::text[], 'Finished'),
('campaign_target', 'pending', 'Pending', 1, NULL, false, false, ARRAY['sent']::text[], 'Not reached yet'),
('campaign_target', 'sent', 'Sent', 2, NULL, false, false, ARRAY['opened','clicked','converted']::text[], 'Reached'),
('campaign_target', 'opened', 'Opened', 3, NULL, false, false, ARRAY['clicked','converted']::text[], 'Opened what was sent'),
('campaign_target', 'clicked', 'Clicked', 4, NULL, false, false, ARRAY['converted']::text[], 'Followed a link'),
('campaign_target', 'converted', 'Converted', 5, NULL, true, false, '{}'::text[], 'Became business')
ON CONFLICT ("pipeline", "key") DO NOTHING;--> statement-breakpoint
INSERT INTO "status_history" ("entity_type", "entity_id", "status", "entered_at")
SELECT 'campaign', "id", "status", "created_at" FROM "campaigns";--> statement-breakpoint
INSERT INTO "status_history" ("entity_type", "entity_id", "status", "entered_at")
SELECT 'campaign_target', "id", "status", "created_at" FROM "campaign_targets";
