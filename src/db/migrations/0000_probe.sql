CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"actor_label" text,
	"on_behalf_of" uuid,
	"action" text NOT NULL,
	"table_name" text NOT NULL,
	"record_id" uuid,
	"operation" text,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"ip_address" text,
	"user_agent" text,
	CONSTRAINT "audit_log_actor_type_check" CHECK ("audit_log"."actor_type" in ('user', 'api_key', 'agent', 'system', 'local')),
	CONSTRAINT "audit_log_action_check" CHECK ("audit_log"."action" in ('create', 'update', 'archive', 'restore', 'delete', 'status_change', 'refused'))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"actor" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "industries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"note_type" text DEFAULT 'general' NOT NULL,
	"related_id" uuid,
	"note_text" text NOT NULL,
	"created_by" uuid,
	"is_private" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "notes_note_type_check" CHECK ("notes"."note_type" in ('company', 'contact', 'lead', 'deal', 'engagement', 'interaction', 'support_ticket', 'invoice', 'general'))
);
--> statement-breakpoint
CREATE TABLE "pipeline_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pipeline" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"position" integer NOT NULL,
	"probability" integer,
	"is_won" boolean DEFAULT false NOT NULL,
	"is_lost" boolean DEFAULT false NOT NULL,
	"next_statuses" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "pipeline_stages_pipeline_check" CHECK ("pipeline_stages"."pipeline" in ('company', 'lead', 'deal', 'engagement')),
	CONSTRAINT "pipeline_stages_probability_check" CHECK ("pipeline_stages"."probability" >= 0 and "pipeline_stages"."probability" <= 100)
);
--> statement-breakpoint
CREATE TABLE "status_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"status" text NOT NULL,
	"from_status" text,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"exited_at" timestamp with time zone,
	"duration_days" integer,
	"changed_by" uuid,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "status_history_entity_type_check" CHECK ("status_history"."entity_type" in ('company', 'lead', 'deal', 'engagement')),
	CONSTRAINT "status_history_duration_days_check" CHECK ("status_history"."duration_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" text DEFAULT 'viewer' NOT NULL,
	"image" text,
	"password_hash" text,
	"email_verified" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('admin', 'editor', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "industry_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"industry_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"fit_notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"service_category" text DEFAULT 'consulting' NOT NULL,
	"description" text,
	"tier" text,
	"pricing_model" text DEFAULT 'fixed' NOT NULL,
	"currency" text DEFAULT 'AUD' NOT NULL,
	"base_setup_fee_min" numeric(14, 2),
	"base_setup_fee_max" numeric(14, 2),
	"base_monthly_fee_min" numeric(14, 2),
	"base_monthly_fee_max" numeric(14, 2),
	"typical_duration_weeks" integer,
	"use_cases" jsonb,
	"keywords" jsonb,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "services_service_category_check" CHECK ("services"."service_category" in ('automation', 'integration', 'consulting', 'training', 'staffing', 'platform', 'other')),
	CONSTRAINT "services_tier_check" CHECK ("services"."tier" in ('L1_ESSENTIALS', 'L2_ADVANCED', 'L3_CONSULTING', 'L4_PLATFORMS', 'L5_STRATEGIC')),
	CONSTRAINT "services_pricing_model_check" CHECK ("services"."pricing_model" in ('fixed', 'monthly', 'per_user', 'hourly', 'usage', 'custom')),
	CONSTRAINT "services_currency_check" CHECK ("services"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "services_base_setup_fee_min_check" CHECK ("services"."base_setup_fee_min" >= 0),
	CONSTRAINT "services_base_setup_fee_max_check" CHECK ("services"."base_setup_fee_max" >= 0 and ("services"."base_setup_fee_min" is null or "services"."base_setup_fee_max" >= "services"."base_setup_fee_min")),
	CONSTRAINT "services_base_monthly_fee_min_check" CHECK ("services"."base_monthly_fee_min" >= 0),
	CONSTRAINT "services_base_monthly_fee_max_check" CHECK ("services"."base_monthly_fee_max" >= 0 and ("services"."base_monthly_fee_min" is null or "services"."base_monthly_fee_max" >= "services"."base_monthly_fee_min")),
	CONSTRAINT "services_typical_duration_weeks_check" CHECK ("services"."typical_duration_weeks" >= 0)
);
--> statement-breakpoint
CREATE TABLE "companies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"legal_name" text,
	"status" text DEFAULT 'lead' NOT NULL,
	"industry" text DEFAULT 'construction',
	"industry_id" uuid,
	"size" text,
	"employee_count" integer,
	"location" text,
	"website" text,
	"domain" text,
	"source" text,
	"lost_reason" text,
	"tier" text,
	"health_score" integer,
	"health_factors" jsonb,
	"health_calculated_at" timestamp with time zone,
	"annual_revenue" numeric(14, 2),
	"founded_year" integer,
	"description" text,
	"address" text,
	"city" text,
	"country" text,
	"primary_contact_id" uuid,
	"currency" text DEFAULT 'AUD' NOT NULL,
	"total_revenue" numeric(14, 2),
	"monthly_recurring" numeric(14, 2),
	"contract_start_date" date,
	"contract_end_date" date,
	"notes" text,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "companies_employee_count_check" CHECK ("companies"."employee_count" >= 0),
	CONSTRAINT "companies_source_check" CHECK ("companies"."source" in ('referral', 'cold_walk_in', 'cold_call', 'cold_email', 'linkedin', 'inbound', 'networking_event', 'website', 'event', 'other')),
	CONSTRAINT "companies_tier_check" CHECK ("companies"."tier" in ('strategic', 'growth', 'standard')),
	CONSTRAINT "companies_health_score_check" CHECK ("companies"."health_score" >= 0 and "companies"."health_score" <= 100),
	CONSTRAINT "companies_annual_revenue_check" CHECK ("companies"."annual_revenue" >= 0),
	CONSTRAINT "companies_founded_year_check" CHECK ("companies"."founded_year" >= 1800 and "companies"."founded_year" <= 2200),
	CONSTRAINT "companies_currency_check" CHECK ("companies"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "companies_total_revenue_check" CHECK ("companies"."total_revenue" >= 0),
	CONSTRAINT "companies_monthly_recurring_check" CHECK ("companies"."monthly_recurring" >= 0),
	CONSTRAINT "companies_contract_end_date_check" CHECK ("companies"."contract_end_date" is null or "companies"."contract_start_date" is null or "companies"."contract_end_date" >= "companies"."contract_start_date")
);
--> statement-breakpoint
CREATE TABLE "company_addresses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"type" text DEFAULT 'office' NOT NULL,
	"street" text,
	"city" text,
	"state" text,
	"country" text,
	"postal_code" text,
	"is_primary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "company_addresses_type_check" CHECK ("company_addresses"."type" in ('hq', 'billing', 'office', 'site'))
);
--> statement-breakpoint
CREATE TABLE "company_metrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"period" date NOT NULL,
	"total_placements" integer,
	"active_placements" integer,
	"currency" text DEFAULT 'AUD' NOT NULL,
	"total_revenue" numeric(14, 2),
	"avg_ttf_days" numeric(8, 2),
	"submission_to_interview_rate" numeric(5, 2),
	"interview_to_offer_rate" numeric(5, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "company_metrics_total_placements_check" CHECK ("company_metrics"."total_placements" >= 0),
	CONSTRAINT "company_metrics_active_placements_check" CHECK ("company_metrics"."active_placements" >= 0),
	CONSTRAINT "company_metrics_currency_check" CHECK ("company_metrics"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "company_metrics_total_revenue_check" CHECK ("company_metrics"."total_revenue" >= 0),
	CONSTRAINT "company_metrics_avg_ttf_days_check" CHECK ("company_metrics"."avg_ttf_days" >= 0),
	CONSTRAINT "company_metrics_submission_to_interview_rate_check" CHECK ("company_metrics"."submission_to_interview_rate" >= 0 and "company_metrics"."submission_to_interview_rate" <= 100),
	CONSTRAINT "company_metrics_interview_to_offer_rate_check" CHECK ("company_metrics"."interview_to_offer_rate" >= 0 and "company_metrics"."interview_to_offer_rate" <= 100)
);
--> statement-breakpoint
CREATE TABLE "company_preferences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"preferred_skills" text[],
	"preferred_visa_types" text[],
	"currency" text DEFAULT 'AUD' NOT NULL,
	"rate_range_min" numeric(14, 2),
	"rate_range_max" numeric(14, 2),
	"work_mode_preference" text,
	"interview_process_notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "company_preferences_currency_check" CHECK ("company_preferences"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "company_preferences_rate_range_min_check" CHECK ("company_preferences"."rate_range_min" >= 0),
	CONSTRAINT "company_preferences_rate_range_max_check" CHECK ("company_preferences"."rate_range_max" >= 0 and ("company_preferences"."rate_range_min" is null or "company_preferences"."rate_range_max" >= "company_preferences"."rate_range_min"))
);
--> statement-breakpoint
CREATE TABLE "company_team" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text DEFAULT 'secondary' NOT NULL,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "company_team_role_check" CHECK ("company_team"."role" in ('owner', 'secondary', 'support'))
);
--> statement-breakpoint
CREATE TABLE "contact_preferences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"preferred_contact_method" text,
	"best_time_to_call" text,
	"timezone" text,
	"communication_frequency" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "contact_preferences_preferred_contact_method_check" CHECK ("contact_preferences"."preferred_contact_method" in ('email', 'phone', 'linkedin', 'sms', 'in_person'))
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid,
	"name" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"role_title" text,
	"role_description" text,
	"department" text,
	"email" text,
	"has_email" boolean DEFAULT true NOT NULL,
	"phone" text,
	"mobile" text,
	"linkedin_url" text,
	"location" text,
	"is_decision_maker" boolean DEFAULT false NOT NULL,
	"is_primary" boolean DEFAULT false NOT NULL,
	"relationship_type" text,
	"status" text DEFAULT 'active' NOT NULL,
	"prospect_status" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_contacted_at" timestamp with time zone,
	"notes" text,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "contacts_relationship_type_check" CHECK ("contacts"."relationship_type" in ('employee', 'decision_maker', 'champion', 'billing', 'technical', 'other')),
	CONSTRAINT "contacts_status_check" CHECK ("contacts"."status" in ('active', 'inactive')),
	CONSTRAINT "contacts_prospect_status_check" CHECK ("contacts"."prospect_status" in ('new', 'researched', 'contacted', 'engaged', 'nurturing', 'unresponsive', 'not_interested'))
);
--> statement-breakpoint
CREATE TABLE "deal_competitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deal_id" uuid NOT NULL,
	"competitor_name" text NOT NULL,
	"strengths" text,
	"weaknesses" text,
	"our_differentiators" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "deal_competitors_status_check" CHECK ("deal_competitors"."status" in ('active', 'won_against', 'lost_to'))
);
--> statement-breakpoint
CREATE TABLE "deal_products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deal_id" uuid NOT NULL,
	"service_id" uuid,
	"product_type" text DEFAULT 'consulting' NOT NULL,
	"description" text,
	"quantity" numeric(12, 2) DEFAULT '1' NOT NULL,
	"unit_price" numeric(14, 2) NOT NULL,
	"currency" text DEFAULT 'AUD' NOT NULL,
	"total_value" numeric(14, 2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "deal_products_product_type_check" CHECK ("deal_products"."product_type" in ('automation', 'integration', 'consulting', 'training', 'staffing', 'platform', 'other')),
	CONSTRAINT "deal_products_quantity_check" CHECK ("deal_products"."quantity" > 0),
	CONSTRAINT "deal_products_unit_price_check" CHECK ("deal_products"."unit_price" >= 0),
	CONSTRAINT "deal_products_currency_check" CHECK ("deal_products"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "deal_stakeholders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deal_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"role" text NOT NULL,
	"influence_level" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "deal_stakeholders_role_check" CHECK ("deal_stakeholders"."role" in ('decision_maker', 'influencer', 'champion', 'blocker', 'user', 'other')),
	CONSTRAINT "deal_stakeholders_influence_level_check" CHECK ("deal_stakeholders"."influence_level" in ('high', 'medium', 'low'))
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid,
	"company_id" uuid,
	"name" text NOT NULL,
	"stage" text DEFAULT 'discovery' NOT NULL,
	"deal_type" text DEFAULT 'new_business' NOT NULL,
	"value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"probability" integer,
	"expected_close_date" date,
	"actual_close_date" date,
	"loss_reason" text,
	"notes" text,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "deals_deal_type_check" CHECK ("deals"."deal_type" in ('new_business', 'expansion', 'renewal')),
	CONSTRAINT "deals_value_check" CHECK ("deals"."value" >= 0),
	CONSTRAINT "deals_currency_check" CHECK ("deals"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "deals_probability_check" CHECK ("deals"."probability" >= 0 and "deals"."probability" <= 100)
);
--> statement-breakpoint
CREATE TABLE "interactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid,
	"contact_id" uuid,
	"lead_id" uuid,
	"deal_id" uuid,
	"event_id" uuid,
	"type" text NOT NULL,
	"direction" text,
	"interaction_date" timestamp with time zone DEFAULT now() NOT NULL,
	"subject" text,
	"summary" text,
	"content" text,
	"sentiment" text,
	"outcome" text,
	"next_step" text,
	"follow_up_date" date,
	"notes" text,
	"meeting_type" text,
	"meeting_status" text,
	"scheduled_at" timestamp with time zone,
	"duration_minutes" integer,
	"meeting_url" text,
	"attendees" text,
	"completed_at" timestamp with time zone,
	"metadata" jsonb,
	"assigned_to" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "interactions_type_check" CHECK ("interactions"."type" in ('cold_walk_in', 'cold_call', 'cold_email', 'linkedin_message', 'warm_intro', 'meeting', 'follow_up_call', 'follow_up_email', 'site_visit', 'call', 'email', 'note', 'task', 'assessment_completed', 'calculation_performed', 'status_updated', 'other')),
	CONSTRAINT "interactions_direction_check" CHECK ("interactions"."direction" in ('inbound', 'outbound')),
	CONSTRAINT "interactions_sentiment_check" CHECK ("interactions"."sentiment" in ('positive', 'neutral', 'negative')),
	CONSTRAINT "interactions_outcome_check" CHECK ("interactions"."outcome" in ('no_response', 'interested', 'meeting_booked', 'objection_raised', 'declined', 'next_step_agreed', 'proposal_requested')),
	CONSTRAINT "interactions_meeting_type_check" CHECK ("interactions"."meeting_type" in ('discovery', 'demo', 'onboarding', 'support', 'review', 'check_in')),
	CONSTRAINT "interactions_meeting_status_check" CHECK ("interactions"."meeting_status" in ('scheduled', 'completed', 'cancelled', 'no_show')),
	CONSTRAINT "interactions_duration_minutes_check" CHECK ("interactions"."duration_minutes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "lead_qualifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"has_budget" boolean,
	"budget_amount" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"decision_maker" boolean,
	"need_identified" boolean,
	"timeline" text,
	"pain_points" text,
	"qualified_by" uuid,
	"qualified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "lead_qualifications_budget_amount_check" CHECK ("lead_qualifications"."budget_amount" >= 0),
	CONSTRAINT "lead_qualifications_currency_check" CHECK ("lead_qualifications"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "lead_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"factors" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"calculated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_scores_score_check" CHECK ("lead_scores"."score" >= 0 and "lead_scores"."score" <= 100)
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text,
	"first_name" text,
	"last_name" text,
	"contact_title" text,
	"phone" text,
	"company_name" text,
	"company_website" text,
	"industry" text,
	"company_size" text,
	"tier" text,
	"message" text,
	"source" text DEFAULT 'website' NOT NULL,
	"score" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"budget" text,
	"timeframe" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"ip_address" text,
	"user_agent" text,
	"notes" text,
	"company_id" uuid,
	"assigned_to" uuid,
	"converted_at" timestamp with time zone,
	"converted_to_account_id" uuid,
	"converted_contact_id" uuid,
	"converted_deal_id" uuid,
	"lost_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "leads_tier_check" CHECK ("leads"."tier" in ('L1_ESSENTIALS', 'L2_ADVANCED', 'L3_CONSULTING', 'L4_PLATFORMS', 'L5_STRATEGIC')),
	CONSTRAINT "leads_source_check" CHECK ("leads"."source" in ('website', 'referral', 'social', 'event', 'direct', 'inbound', 'outbound', 'marketing', 'linkedin', 'other')),
	CONSTRAINT "leads_score_check" CHECK ("leads"."score" >= 0 and "leads"."score" <= 100)
);
--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "industry_services" ADD CONSTRAINT "industry_services_industry_id_industries_id_fk" FOREIGN KEY ("industry_id") REFERENCES "public"."industries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "industry_services" ADD CONSTRAINT "industry_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "companies" ADD CONSTRAINT "companies_industry_id_industries_id_fk" FOREIGN KEY ("industry_id") REFERENCES "public"."industries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "companies" ADD CONSTRAINT "companies_primary_contact_id_contacts_id_fk" FOREIGN KEY ("primary_contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "companies" ADD CONSTRAINT "companies_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_addresses" ADD CONSTRAINT "company_addresses_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_metrics" ADD CONSTRAINT "company_metrics_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_preferences" ADD CONSTRAINT "company_preferences_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_team" ADD CONSTRAINT "company_team_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_team" ADD CONSTRAINT "company_team_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_preferences" ADD CONSTRAINT "contact_preferences_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_competitors" ADD CONSTRAINT "deal_competitors_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_products" ADD CONSTRAINT "deal_products_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_products" ADD CONSTRAINT "deal_products_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_stakeholders" ADD CONSTRAINT "deal_stakeholders_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_stakeholders" ADD CONSTRAINT "deal_stakeholders_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_qualifications" ADD CONSTRAINT "lead_qualifications_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_qualifications" ADD CONSTRAINT "lead_qualifications_qualified_by_users_id_fk" FOREIGN KEY ("qualified_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_scores" ADD CONSTRAINT "lead_scores_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_converted_to_account_id_companies_id_fk" FOREIGN KEY ("converted_to_account_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_converted_contact_id_contacts_id_fk" FOREIGN KEY ("converted_contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_converted_deal_id_deals_id_fk" FOREIGN KEY ("converted_deal_id") REFERENCES "public"."deals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_record_idx" ON "audit_log" USING btree ("table_name","record_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_actor_key_key" ON "idempotency_keys" USING btree ("actor","key");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "industries_name_key" ON "industries" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "notes_related_idx" ON "notes" USING btree ("related_id","created_at");--> statement-breakpoint
CREATE INDEX "notes_type_idx" ON "notes" USING btree ("note_type");--> statement-breakpoint
CREATE INDEX "notes_created_idx" ON "notes" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "pipeline_stages_pipeline_key_key" ON "pipeline_stages" USING btree ("pipeline","key");--> statement-breakpoint
CREATE INDEX "status_history_entity_idx" ON "status_history" USING btree ("entity_type","entity_id","entered_at");--> statement-breakpoint
CREATE INDEX "status_history_status_idx" ON "status_history" USING btree ("entity_type","status","entered_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "industry_services_pair_key" ON "industry_services" USING btree ("industry_id","service_id");--> statement-breakpoint
CREATE INDEX "industry_services_service_idx" ON "industry_services" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "services_active_category_idx" ON "services" USING btree ("is_active","service_category");--> statement-breakpoint
CREATE INDEX "services_name_idx" ON "services" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "companies_name_idx" ON "companies" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "companies_domain_idx" ON "companies" USING btree ("domain");--> statement-breakpoint
CREATE INDEX "companies_status_idx" ON "companies" USING btree ("status");--> statement-breakpoint
CREATE INDEX "companies_country_idx" ON "companies" USING btree ("country");--> statement-breakpoint
CREATE INDEX "companies_contract_end_idx" ON "companies" USING btree ("contract_end_date");--> statement-breakpoint
CREATE INDEX "companies_industry_idx" ON "companies" USING btree ("industry_id");--> statement-breakpoint
CREATE INDEX "companies_owner_idx" ON "companies" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "companies_created_idx" ON "companies" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "company_addresses_company_idx" ON "company_addresses" USING btree ("company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "company_metrics_period_key" ON "company_metrics" USING btree ("company_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "company_preferences_company_key" ON "company_preferences" USING btree ("company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "company_team_member_key" ON "company_team" USING btree ("company_id","user_id");--> statement-breakpoint
CREATE INDEX "company_team_user_idx" ON "company_team" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_preferences_contact_key" ON "contact_preferences" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contacts_company_idx" ON "contacts" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "contacts_email_idx" ON "contacts" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "contacts_name_idx" ON "contacts" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "contacts_owner_idx" ON "contacts" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "contacts_created_idx" ON "contacts" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "deal_competitors_deal_idx" ON "deal_competitors" USING btree ("deal_id");--> statement-breakpoint
CREATE INDEX "deal_products_deal_idx" ON "deal_products" USING btree ("deal_id");--> statement-breakpoint
CREATE INDEX "deal_products_service_idx" ON "deal_products" USING btree ("service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deal_stakeholders_pair_key" ON "deal_stakeholders" USING btree ("deal_id","contact_id");--> statement-breakpoint
CREATE INDEX "deal_stakeholders_contact_idx" ON "deal_stakeholders" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "deals_company_idx" ON "deals" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "deals_stage_idx" ON "deals" USING btree ("stage","expected_close_date");--> statement-breakpoint
CREATE INDEX "deals_owner_idx" ON "deals" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "deals_created_idx" ON "deals" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "interactions_company_date_idx" ON "interactions" USING btree ("company_id","interaction_date");--> statement-breakpoint
CREATE INDEX "interactions_contact_idx" ON "interactions" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "interactions_lead_idx" ON "interactions" USING btree ("lead_id","interaction_date");--> statement-breakpoint
CREATE INDEX "interactions_deal_idx" ON "interactions" USING btree ("deal_id");--> statement-breakpoint
CREATE INDEX "interactions_event_idx" ON "interactions" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "interactions_follow_up_idx" ON "interactions" USING btree ("follow_up_date") WHERE "interactions"."follow_up_date" is not null and "interactions"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "interactions_scheduled_idx" ON "interactions" USING btree ("scheduled_at");--> statement-breakpoint
CREATE INDEX "interactions_type_idx" ON "interactions" USING btree ("type");--> statement-breakpoint
CREATE INDEX "interactions_created_idx" ON "interactions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "lead_qualifications_lead_idx" ON "lead_qualifications" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "lead_scores_lead_idx" ON "lead_scores" USING btree ("lead_id","calculated_at");--> statement-breakpoint
CREATE INDEX "leads_email_idx" ON "leads" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "leads_status_idx" ON "leads" USING btree ("status");--> statement-breakpoint
CREATE INDEX "leads_tier_status_idx" ON "leads" USING btree ("tier","status");--> statement-breakpoint
CREATE INDEX "leads_source_created_idx" ON "leads" USING btree ("source","created_at");--> statement-breakpoint
CREATE INDEX "leads_created_idx" ON "leads" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "leads_assigned_idx" ON "leads" USING btree ("assigned_to");