CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "industries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"note_type" text DEFAULT 'general' NOT NULL,
	"related_id" uuid,
	"note_text" text NOT NULL,
	"created_by" uuid,
	"is_private" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"entered_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"exited_at" timestamp (3) with time zone,
	"duration_days" integer,
	"changed_by" uuid,
	"reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
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
	"email_verified" timestamp (3) with time zone,
	"disabled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('admin', 'editor', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" text DEFAULT 'viewer' NOT NULL,
	"expires_at" timestamp (3) with time zone,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_role_check" CHECK ("api_keys"."role" in ('admin', 'editor', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp (3) with time zone,
	"ip_address" text,
	"user_agent" text,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "analytics_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event" text NOT NULL,
	"properties" jsonb,
	"user_id" uuid,
	"session_id" text,
	"url" text,
	"referrer" text,
	"user_agent" text,
	"ip_address" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"to" jsonb NOT NULL,
	"subject" text NOT NULL,
	"template" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"idempotency_key" text,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now(),
	"sent_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_queue_to_check" CHECK (jsonb_typeof("email_queue"."to") = 'array'),
	CONSTRAINT "email_queue_template_check" CHECK ("email_queue"."template" in ('welcome', 'assessment_results', 'roi_report', 'follow_up', 'meeting_reminder')),
	CONSTRAINT "email_queue_status_check" CHECK ("email_queue"."status" in ('pending', 'sending', 'sent', 'failed', 'dead')),
	CONSTRAINT "email_queue_attempts_check" CHECK ("email_queue"."attempts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "feature_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"enabled_dev" boolean DEFAULT true NOT NULL,
	"enabled_staging" boolean DEFAULT false NOT NULL,
	"enabled_prod" boolean DEFAULT false NOT NULL,
	"rollout_percentage" integer DEFAULT 0 NOT NULL,
	"user_groups" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "feature_flags_rollout_percentage_check" CHECK ("feature_flags"."rollout_percentage" >= 0 and "feature_flags"."rollout_percentage" <= 100)
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"webhook_url" text,
	"api_key_encrypted" text,
	"last_sync" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"event_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now(),
	"last_status_code" integer,
	"last_error" text,
	"delivered_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_status_check" CHECK ("webhook_deliveries"."status" in ('pending', 'delivering', 'succeeded', 'failed', 'dead')),
	CONSTRAINT "webhook_deliveries_attempts_check" CHECK ("webhook_deliveries"."attempts" >= 0),
	CONSTRAINT "webhook_deliveries_last_status_code_check" CHECK ("webhook_deliveries"."last_status_code" >= 100 and "webhook_deliveries"."last_status_code" <= 599)
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"secret_encrypted" text NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"failure_count" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "webhook_subscriptions_failure_count_check" CHECK ("webhook_subscriptions"."failure_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "industry_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"industry_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"fit_notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"health_calculated_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"assigned_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"last_contacted_at" timestamp (3) with time zone,
	"notes" text,
	"owner_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"interaction_date" timestamp (3) with time zone DEFAULT now() NOT NULL,
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
	"scheduled_at" timestamp (3) with time zone,
	"duration_minutes" integer,
	"meeting_url" text,
	"attendees" text,
	"completed_at" timestamp (3) with time zone,
	"metadata" jsonb,
	"assigned_to" uuid,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
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
	"qualified_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "lead_qualifications_budget_amount_check" CHECK ("lead_qualifications"."budget_amount" >= 0),
	CONSTRAINT "lead_qualifications_currency_check" CHECK ("lead_qualifications"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "lead_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"factors" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"calculated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
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
	"converted_at" timestamp (3) with time zone,
	"converted_to_account_id" uuid,
	"converted_contact_id" uuid,
	"converted_deal_id" uuid,
	"lost_reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "leads_tier_check" CHECK ("leads"."tier" in ('L1_ESSENTIALS', 'L2_ADVANCED', 'L3_CONSULTING', 'L4_PLATFORMS', 'L5_STRATEGIC')),
	CONSTRAINT "leads_source_check" CHECK ("leads"."source" in ('website', 'referral', 'social', 'event', 'direct', 'inbound', 'outbound', 'marketing', 'linkedin', 'other')),
	CONSTRAINT "leads_score_check" CHECK ("leads"."score" >= 0 and "leads"."score" <= 100)
);
--> statement-breakpoint
CREATE TABLE "campaign_content" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"content_type" text NOT NULL,
	"subject" text,
	"body" text,
	"asset_url" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "campaign_content_content_type_check" CHECK ("campaign_content"."content_type" in ('email', 'landing_page', 'asset'))
);
--> statement-breakpoint
CREATE TABLE "campaign_metrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"period" date NOT NULL,
	"impressions" integer DEFAULT 0 NOT NULL,
	"clicks" integer DEFAULT 0 NOT NULL,
	"opens" integer DEFAULT 0 NOT NULL,
	"conversions" integer DEFAULT 0 NOT NULL,
	"cost_per_conversion" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"roi" numeric(10, 2),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "campaign_metrics_impressions_check" CHECK ("campaign_metrics"."impressions" >= 0),
	CONSTRAINT "campaign_metrics_clicks_check" CHECK ("campaign_metrics"."clicks" >= 0),
	CONSTRAINT "campaign_metrics_opens_check" CHECK ("campaign_metrics"."opens" >= 0),
	CONSTRAINT "campaign_metrics_conversions_check" CHECK ("campaign_metrics"."conversions" >= 0),
	CONSTRAINT "campaign_metrics_cost_per_conversion_check" CHECK ("campaign_metrics"."cost_per_conversion" >= 0),
	CONSTRAINT "campaign_metrics_currency_check" CHECK ("campaign_metrics"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "campaign_targets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"target_type" text NOT NULL,
	"target_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "campaign_targets_target_type_check" CHECK ("campaign_targets"."target_type" in ('lead', 'contact', 'company')),
	CONSTRAINT "campaign_targets_status_check" CHECK ("campaign_targets"."status" in ('pending', 'sent', 'opened', 'clicked', 'converted'))
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"target_audience" text,
	"start_date" date,
	"end_date" date,
	"budget" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"description" text,
	"owner_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "campaigns_type_check" CHECK ("campaigns"."type" in ('email', 'linkedin', 'event', 'webinar', 'content')),
	CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('draft', 'scheduled', 'active', 'paused', 'completed')),
	CONSTRAINT "campaigns_end_date_check" CHECK ("campaigns"."end_date" is null or "campaigns"."start_date" is null or "campaigns"."end_date" >= "campaigns"."start_date"),
	CONSTRAINT "campaigns_budget_check" CHECK ("campaigns"."budget" >= 0),
	CONSTRAINT "campaigns_currency_check" CHECK ("campaigns"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"event_type" text NOT NULL,
	"event_date" timestamp (3) with time zone NOT NULL,
	"description" text,
	"location" text,
	"target_industries" jsonb,
	"target_roles" jsonb,
	"solutions_featured" jsonb,
	"status" text DEFAULT 'planned' NOT NULL,
	"owner_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "events_status_check" CHECK ("events"."status" in ('planned', 'open', 'completed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "outreach_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"event_id" uuid,
	"campaign_id" uuid,
	"draft_type" text NOT NULL,
	"subject" text,
	"content" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp (3) with time zone,
	"sent_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "outreach_drafts_draft_type_check" CHECK ("outreach_drafts"."draft_type" in ('email', 'linkedin', 'call_script', 'other')),
	CONSTRAINT "outreach_drafts_status_check" CHECK ("outreach_drafts"."status" in ('draft', 'approved', 'sent', 'discarded'))
);
--> statement-breakpoint
CREATE TABLE "prospect_research" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"company_id" uuid,
	"research_summary" text NOT NULL,
	"key_insights" jsonb,
	"recommended_solutions" jsonb,
	"confidence_score" numeric(5, 2),
	"model" text,
	"llm_usage_log_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "prospect_research_confidence_score_check" CHECK ("prospect_research"."confidence_score" >= 0 and "prospect_research"."confidence_score" <= 100)
);
--> statement-breakpoint
CREATE TABLE "audits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"audit_date" date,
	"org_chart_received" boolean DEFAULT false NOT NULL,
	"team_size" integer,
	"surveys_sent" integer DEFAULT 0 NOT NULL,
	"surveys_completed" integer DEFAULT 0 NOT NULL,
	"digital_maturity" text,
	"current_tools_summary" text,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "audits_team_size_check" CHECK ("audits"."team_size" >= 0),
	CONSTRAINT "audits_surveys_sent_check" CHECK ("audits"."surveys_sent" >= 0),
	CONSTRAINT "audits_surveys_completed_check" CHECK ("audits"."surveys_completed" >= 0),
	CONSTRAINT "audits_digital_maturity_check" CHECK ("audits"."digital_maturity" in ('high', 'medium', 'low'))
);
--> statement-breakpoint
CREATE TABLE "capacity" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_member" text NOT NULL,
	"role" text,
	"user_id" uuid,
	"total_hours_per_week" numeric(8, 2) DEFAULT '0' NOT NULL,
	"allocated_hours_per_week" numeric(8, 2) DEFAULT '0' NOT NULL,
	"available_hours_per_week" numeric(8, 2) GENERATED ALWAYS AS (total_hours_per_week - allocated_hours_per_week) STORED NOT NULL,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "capacity_total_hours_per_week_check" CHECK ("capacity"."total_hours_per_week" >= 0),
	CONSTRAINT "capacity_allocated_hours_per_week_check" CHECK ("capacity"."allocated_hours_per_week" >= 0),
	CONSTRAINT "capacity_available_hours_per_week_check" CHECK ("capacity"."available_hours_per_week" >= 0)
);
--> statement-breakpoint
CREATE TABLE "go_no_go_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid,
	"company_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"decision_date" date,
	"decision_maker_engagement" text,
	"budget_confirmed" boolean,
	"team_readiness" text,
	"champion_strength" text,
	"technical_feasibility" text,
	"timeline_alignment" text,
	"estimated_roi" text,
	"estimated_roi_hours_per_month" numeric(8, 2),
	"risk_factors" text,
	"decision_rationale" text,
	"recommended_package" text,
	"novel_mcps" integer,
	"novel_skills" integer,
	"employee_count" integer,
	"estimated_hours_per_week" numeric(8, 2),
	"capacity_available_hours" numeric(8, 2),
	"capacity_sufficient" boolean,
	"estimated_value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"decided_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "go_no_go_decisions_decision_check" CHECK ("go_no_go_decisions"."decision" in ('go', 'no_go', 'conditional')),
	CONSTRAINT "go_no_go_decisions_decision_maker_engagement_check" CHECK ("go_no_go_decisions"."decision_maker_engagement" in ('high', 'medium', 'low')),
	CONSTRAINT "go_no_go_decisions_team_readiness_check" CHECK ("go_no_go_decisions"."team_readiness" in ('high', 'medium', 'low')),
	CONSTRAINT "go_no_go_decisions_champion_strength_check" CHECK ("go_no_go_decisions"."champion_strength" in ('strong', 'moderate', 'weak', 'none')),
	CONSTRAINT "go_no_go_decisions_technical_feasibility_check" CHECK ("go_no_go_decisions"."technical_feasibility" in ('high', 'medium', 'low')),
	CONSTRAINT "go_no_go_decisions_timeline_alignment_check" CHECK ("go_no_go_decisions"."timeline_alignment" in ('aligned', 'tight', 'unrealistic')),
	CONSTRAINT "go_no_go_decisions_estimated_roi_hours_per_month_check" CHECK ("go_no_go_decisions"."estimated_roi_hours_per_month" >= 0),
	CONSTRAINT "go_no_go_decisions_novel_mcps_check" CHECK ("go_no_go_decisions"."novel_mcps" >= 0),
	CONSTRAINT "go_no_go_decisions_novel_skills_check" CHECK ("go_no_go_decisions"."novel_skills" >= 0),
	CONSTRAINT "go_no_go_decisions_employee_count_check" CHECK ("go_no_go_decisions"."employee_count" >= 0),
	CONSTRAINT "go_no_go_decisions_estimated_hours_per_week_check" CHECK ("go_no_go_decisions"."estimated_hours_per_week" >= 0),
	CONSTRAINT "go_no_go_decisions_capacity_available_hours_check" CHECK ("go_no_go_decisions"."capacity_available_hours" >= 0),
	CONSTRAINT "go_no_go_decisions_estimated_value_check" CHECK ("go_no_go_decisions"."estimated_value" >= 0),
	CONSTRAINT "go_no_go_decisions_currency_check" CHECK ("go_no_go_decisions"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"go_no_go_id" uuid,
	"deal_id" uuid,
	"package" text,
	"scope" text,
	"value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"sent_date" date,
	"modifications_requested" text,
	"accepted_date" date,
	"rejected_date" date,
	"expires_date" date,
	"notes" text,
	"owner_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "proposals_value_check" CHECK ("proposals"."value" >= 0),
	CONSTRAINT "proposals_currency_check" CHECK ("proposals"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "proposals_status_check" CHECK ("proposals"."status" in ('draft', 'sent', 'under_review', 'accepted', 'rejected', 'expired'))
);
--> statement-breakpoint
CREATE TABLE "readiness_assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid,
	"company_id" uuid,
	"contact_id" uuid,
	"email" text,
	"status" text DEFAULT 'started' NOT NULL,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"score" integer,
	"tier" text,
	"category_scores" jsonb,
	"strengths" jsonb,
	"weaknesses" jsonb,
	"recommendations" jsonb,
	"completed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "readiness_assessments_status_check" CHECK ("readiness_assessments"."status" in ('started', 'completed', 'abandoned')),
	CONSTRAINT "readiness_assessments_score_check" CHECK ("readiness_assessments"."score" >= 0 and "readiness_assessments"."score" <= 100),
	CONSTRAINT "readiness_assessments_tier_check" CHECK ("readiness_assessments"."tier" in ('L1_ESSENTIALS', 'L2_ADVANCED', 'L3_CONSULTING', 'L4_PLATFORMS', 'L5_STRATEGIC')),
	CONSTRAINT "readiness_assessments_completed_at_check" CHECK ("readiness_assessments"."status" <> 'completed' or "readiness_assessments"."completed_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "roi_calculations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"lead_id" uuid,
	"company_id" uuid,
	"email" text,
	"inputs" jsonb NOT NULL,
	"results" jsonb NOT NULL,
	"total_value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"roi" numeric(10, 2),
	"payback_months" numeric(8, 2),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roi_calculations_type_check" CHECK ("roi_calculations"."type" in ('roi', 'project_estimate')),
	CONSTRAINT "roi_calculations_total_value_check" CHECK ("roi_calculations"."total_value" >= 0),
	CONSTRAINT "roi_calculations_currency_check" CHECK ("roi_calculations"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "roi_calculations_payback_months_check" CHECK ("roi_calculations"."payback_months" >= 0)
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"audit_id" uuid,
	"survey_type" text NOT NULL,
	"survey_sent" boolean DEFAULT false NOT NULL,
	"survey_sent_date" date,
	"survey_completed" boolean DEFAULT false NOT NULL,
	"survey_completed_date" date,
	"question" text NOT NULL,
	"answer" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "survey_responses_survey_type_check" CHECK ("survey_responses"."survey_type" in ('audit', 'pre_training'))
);
--> statement-breakpoint
CREATE TABLE "ai_asset_deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"asset_id" uuid NOT NULL,
	"engagement_id" uuid,
	"company_id" uuid,
	"account_ref" text,
	"deployed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp (3) with time zone,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "ai_asset_deployments_removed_at_check" CHECK ("ai_asset_deployments"."removed_at" is null or "ai_asset_deployments"."deployed_at" is null or "ai_asset_deployments"."removed_at" >= "ai_asset_deployments"."deployed_at"),
	CONSTRAINT "ai_asset_deployments_status_check" CHECK ("ai_asset_deployments"."status" in ('active', 'removed'))
);
--> statement-breakpoint
CREATE TABLE "ai_assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"engagement_id" uuid,
	"built_date" date,
	"deployed" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'in_development' NOT NULL,
	"repository_url" text,
	"asset_version" text,
	"built_by" uuid,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "ai_assets_kind_check" CHECK ("ai_assets"."kind" in ('mcp', 'skill')),
	CONSTRAINT "ai_assets_status_check" CHECK ("ai_assets"."status" in ('in_development', 'deployed', 'deprecated'))
);
--> statement-breakpoint
CREATE TABLE "ai_licenses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"contact_id" uuid,
	"provider" text DEFAULT 'anthropic' NOT NULL,
	"email" text,
	"license_status" text DEFAULT 'active' NOT NULL,
	"plan_type" text,
	"assigned_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "ai_licenses_license_status_check" CHECK ("ai_licenses"."license_status" in ('active', 'suspended', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "contact_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"engagement_id" uuid,
	"company_id" uuid,
	"survey_response_id" uuid,
	"task_name" text NOT NULL,
	"task_description" text,
	"software_used" text,
	"frequency" text,
	"occurrences_per_month" numeric(8, 2),
	"time_before_ai" integer,
	"time_after_ai" integer,
	"time_saved_minutes" integer GENERATED ALWAYS AS (time_before_ai - time_after_ai) STORED,
	"issues_before_ai" text,
	"issues_after_ai" text,
	"key_challenges" text,
	"ai_adoption_status" text DEFAULT 'not_started' NOT NULL,
	"included_in_training" boolean DEFAULT false NOT NULL,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "contact_tasks_frequency_check" CHECK ("contact_tasks"."frequency" in ('daily', 'weekly', 'monthly', 'per_project', 'ad_hoc')),
	CONSTRAINT "contact_tasks_occurrences_per_month_check" CHECK ("contact_tasks"."occurrences_per_month" >= 0),
	CONSTRAINT "contact_tasks_time_before_ai_check" CHECK ("contact_tasks"."time_before_ai" >= 0),
	CONSTRAINT "contact_tasks_time_after_ai_check" CHECK ("contact_tasks"."time_after_ai" >= 0),
	CONSTRAINT "contact_tasks_ai_adoption_status_check" CHECK ("contact_tasks"."ai_adoption_status" in ('not_started', 'in_progress', 'adopted', 'abandoned'))
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"engagement_id" uuid,
	"contract_type" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"start_date" date,
	"end_date" date,
	"value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"terms" jsonb,
	"document_url" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "contracts_contract_type_check" CHECK ("contracts"."contract_type" in ('msa', 'sow', 'nda')),
	CONSTRAINT "contracts_status_check" CHECK ("contracts"."status" in ('draft', 'sent', 'signed', 'active', 'expired', 'terminated')),
	CONSTRAINT "contracts_end_date_check" CHECK ("contracts"."end_date" is null or "contracts"."start_date" is null or "contracts"."end_date" >= "contracts"."start_date"),
	CONSTRAINT "contracts_value_check" CHECK ("contracts"."value" >= 0),
	CONSTRAINT "contracts_currency_check" CHECK ("contracts"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "document_sequences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"last_value" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_sequences_kind_check" CHECK ("document_sequences"."kind" in ('ticket', 'invoice')),
	CONSTRAINT "document_sequences_year_check" CHECK ("document_sequences"."year" >= 2000 and "document_sequences"."year" <= 2200),
	CONSTRAINT "document_sequences_last_value_check" CHECK ("document_sequences"."last_value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "engagement_milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"name" text NOT NULL,
	"due_date" date,
	"completed_date" date,
	"kpi" text,
	"kpi_target" text,
	"kpi_actual" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "engagement_milestones_status_check" CHECK ("engagement_milestones"."status" in ('planned', 'met', 'missed', 'cancelled')),
	CONSTRAINT "engagement_milestones_position_check" CHECK ("engagement_milestones"."position" >= 0)
);
--> statement-breakpoint
CREATE TABLE "engagement_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "engagement_tools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"tool_name" text NOT NULL,
	"tool_category" text,
	"status" text DEFAULT 'active' NOT NULL,
	"api_key_name" text,
	"monthly_cost" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "engagement_tools_status_check" CHECK ("engagement_tools"."status" in ('active', 'inactive', 'testing')),
	CONSTRAINT "engagement_tools_monthly_cost_check" CHECK ("engagement_tools"."monthly_cost" >= 0),
	CONSTRAINT "engagement_tools_currency_check" CHECK ("engagement_tools"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "engagements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"proposal_id" uuid,
	"name" text,
	"project_type" text,
	"description" text,
	"status" text DEFAULT 'onboarding' NOT NULL,
	"package" text,
	"value" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"staff_count" integer,
	"training_hours_per_staff" numeric(8, 2),
	"mcps_to_build" integer,
	"skills_to_build" integer,
	"reporting_terms" text,
	"support_terms" text,
	"start_date" date,
	"end_date" date,
	"go_live_date" date,
	"claude_workspace_id" text,
	"claude_plan_type" text,
	"claude_plan_setup" boolean DEFAULT false NOT NULL,
	"num_licenses" integer,
	"setup_fee" numeric(14, 2),
	"monthly_fee" numeric(14, 2),
	"tool_costs" numeric(14, 2),
	"demo_url" text,
	"production_url" text,
	"priority" text DEFAULT 'medium' NOT NULL,
	"estimated_hours" numeric(8, 2),
	"actual_hours" numeric(8, 2),
	"hourly_rate_value" numeric(14, 2),
	"assigned_to" uuid,
	"owner_id" uuid,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "engagements_value_check" CHECK ("engagements"."value" >= 0),
	CONSTRAINT "engagements_currency_check" CHECK ("engagements"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "engagements_staff_count_check" CHECK ("engagements"."staff_count" >= 0),
	CONSTRAINT "engagements_training_hours_per_staff_check" CHECK ("engagements"."training_hours_per_staff" >= 0),
	CONSTRAINT "engagements_mcps_to_build_check" CHECK ("engagements"."mcps_to_build" >= 0),
	CONSTRAINT "engagements_skills_to_build_check" CHECK ("engagements"."skills_to_build" >= 0),
	CONSTRAINT "engagements_end_date_check" CHECK ("engagements"."end_date" is null or "engagements"."start_date" is null or "engagements"."end_date" >= "engagements"."start_date"),
	CONSTRAINT "engagements_num_licenses_check" CHECK ("engagements"."num_licenses" >= 0),
	CONSTRAINT "engagements_setup_fee_check" CHECK ("engagements"."setup_fee" >= 0),
	CONSTRAINT "engagements_monthly_fee_check" CHECK ("engagements"."monthly_fee" >= 0),
	CONSTRAINT "engagements_tool_costs_check" CHECK ("engagements"."tool_costs" >= 0),
	CONSTRAINT "engagements_priority_check" CHECK ("engagements"."priority" in ('low', 'medium', 'high', 'urgent')),
	CONSTRAINT "engagements_estimated_hours_check" CHECK ("engagements"."estimated_hours" >= 0),
	CONSTRAINT "engagements_actual_hours_check" CHECK ("engagements"."actual_hours" >= 0),
	CONSTRAINT "engagements_hourly_rate_value_check" CHECK ("engagements"."hourly_rate_value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"invoice_number" text NOT NULL,
	"company_id" uuid NOT NULL,
	"engagement_id" uuid,
	"invoice_type" text NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"amount_usd" numeric(14, 2),
	"currency" text DEFAULT 'AUD' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"issue_date" date,
	"due_date" date,
	"paid_date" date,
	"payment_method" text,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "invoices_invoice_type_check" CHECK ("invoices"."invoice_type" in ('setup', 'monthly', 'one_time', 'tool_cost')),
	CONSTRAINT "invoices_amount_check" CHECK ("invoices"."amount" >= 0),
	CONSTRAINT "invoices_amount_usd_check" CHECK ("invoices"."amount_usd" >= 0),
	CONSTRAINT "invoices_currency_check" CHECK ("invoices"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "invoices_status_check" CHECK ("invoices"."status" in ('draft', 'sent', 'paid', 'cancelled')),
	CONSTRAINT "invoices_due_date_check" CHECK ("invoices"."due_date" is null or "invoices"."issue_date" is null or "invoices"."due_date" >= "invoices"."issue_date")
);
--> statement-breakpoint
CREATE TABLE "support_tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_number" text NOT NULL,
	"engagement_id" uuid,
	"company_id" uuid NOT NULL,
	"contact_id" uuid,
	"request_date" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"subject" text,
	"description" text,
	"category" text DEFAULT 'other' NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"hours_spent" numeric(8, 2),
	"handled_by" text,
	"assigned_to" uuid,
	"resolved_at" timestamp (3) with time zone,
	"resolved_date" date GENERATED ALWAYS AS ((resolved_at at time zone 'UTC')::date) STORED,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "support_tickets_category_check" CHECK ("support_tickets"."category" in ('mcp_issue', 'skill_issue', 'claude_config', 'troubleshooting', 'training_request', 'ad_hoc_support', 'bug', 'feature_request', 'question', 'other')),
	CONSTRAINT "support_tickets_priority_check" CHECK ("support_tickets"."priority" in ('low', 'medium', 'high', 'critical')),
	CONSTRAINT "support_tickets_status_check" CHECK ("support_tickets"."status" in ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
	CONSTRAINT "support_tickets_hours_spent_check" CHECK ("support_tickets"."hours_spent" >= 0),
	CONSTRAINT "support_tickets_resolved_at_check" CHECK ("support_tickets"."resolved_at" is null or "support_tickets"."request_date" is null or "support_tickets"."resolved_at" >= "support_tickets"."request_date")
);
--> statement-breakpoint
CREATE TABLE "task_ai_assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"asset_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "task_measurements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"measured_on" date NOT NULL,
	"time_after_ai" integer NOT NULL,
	"occurrences" integer,
	"notes" text,
	"measured_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "task_measurements_time_after_ai_check" CHECK ("task_measurements"."time_after_ai" >= 0),
	CONSTRAINT "task_measurements_occurrences_check" CHECK ("task_measurements"."occurrences" >= 0)
);
--> statement-breakpoint
CREATE TABLE "training_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"attended" boolean,
	"session_notes" text,
	"progress" text,
	"struggles" text,
	"follow_ups" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "training_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"session_number" integer,
	"title" text,
	"scheduled_date" timestamp (3) with time zone,
	"completed_date" timestamp (3) with time zone,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"delivered_by" text,
	"location" text,
	"duration_minutes" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "training_sessions_session_number_check" CHECK ("training_sessions"."session_number" > 0),
	CONSTRAINT "training_sessions_status_check" CHECK ("training_sessions"."status" in ('scheduled', 'completed', 'cancelled', 'rescheduled')),
	CONSTRAINT "training_sessions_duration_minutes_check" CHECK ("training_sessions"."duration_minutes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "work_completed" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"category" text NOT NULL,
	"description" text,
	"hours" numeric(8, 2) NOT NULL,
	"work_date" date NOT NULL,
	"performed_by" text,
	"user_id" uuid,
	"asset_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "work_completed_category_check" CHECK ("work_completed"."category" in ('mcp_build', 'skill_creation', 'training', 'support', 'setup', 'reporting', 'meeting', 'other')),
	CONSTRAINT "work_completed_hours_check" CHECK ("work_completed"."hours" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ai_usage" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"contact_id" uuid,
	"usage_date" date NOT NULL,
	"tokens_used" bigint NOT NULL,
	"model" text,
	"source" text,
	"idempotency_key" text,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_usage_tokens_used_check" CHECK ("ai_usage"."tokens_used" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ai_usage_monthly" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"contact_id" uuid,
	"month" date NOT NULL,
	"tokens_used" bigint DEFAULT 0 NOT NULL,
	"records" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_usage_monthly_engagement_contact_month_key" UNIQUE NULLS NOT DISTINCT("engagement_id","contact_id","month"),
	CONSTRAINT "ai_usage_monthly_month_check" CHECK (extract(day from "ai_usage_monthly"."month") = 1),
	CONSTRAINT "ai_usage_monthly_tokens_used_check" CHECK ("ai_usage_monthly"."tokens_used" >= 0),
	CONSTRAINT "ai_usage_monthly_records_check" CHECK ("ai_usage_monthly"."records" >= 0)
);
--> statement-breakpoint
CREATE TABLE "llm_model_prices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_price_per_mtok" numeric(12, 6) NOT NULL,
	"output_price_per_mtok" numeric(12, 6) NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"effective_from" date NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "llm_model_prices_input_price_per_mtok_check" CHECK ("llm_model_prices"."input_price_per_mtok" >= 0),
	CONSTRAINT "llm_model_prices_output_price_per_mtok_check" CHECK ("llm_model_prices"."output_price_per_mtok" >= 0),
	CONSTRAINT "llm_model_prices_currency_check" CHECK ("llm_model_prices"."currency" in ('AUD', 'TTD', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "llm_usage_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_name" text NOT NULL,
	"node_name" text NOT NULL,
	"model" text NOT NULL,
	"provider" text,
	"prompt_tokens" integer NOT NULL,
	"completion_tokens" integer NOT NULL,
	"total_tokens" integer NOT NULL,
	"latency_ms" integer NOT NULL,
	"cost" numeric(12, 6) NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"status" text DEFAULT 'success' NOT NULL,
	"error" text,
	"entity_type" text,
	"entity_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "llm_usage_logs_prompt_tokens_check" CHECK ("llm_usage_logs"."prompt_tokens" >= 0),
	CONSTRAINT "llm_usage_logs_completion_tokens_check" CHECK ("llm_usage_logs"."completion_tokens" >= 0),
	CONSTRAINT "llm_usage_logs_total_tokens_check" CHECK ("llm_usage_logs"."total_tokens" >= 0),
	CONSTRAINT "llm_usage_logs_latency_ms_check" CHECK ("llm_usage_logs"."latency_ms" >= 0),
	CONSTRAINT "llm_usage_logs_cost_check" CHECK ("llm_usage_logs"."cost" >= 0),
	CONSTRAINT "llm_usage_logs_currency_check" CHECK ("llm_usage_logs"."currency" in ('AUD', 'TTD', 'USD')),
	CONSTRAINT "llm_usage_logs_status_check" CHECK ("llm_usage_logs"."status" in ('success', 'error')),
	CONSTRAINT "llm_usage_logs_entity_id_check" CHECK ("llm_usage_logs"."entity_id" is null or "llm_usage_logs"."entity_type" is not null)
);
--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
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
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
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
ALTER TABLE "campaign_content" ADD CONSTRAINT "campaign_content_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_metrics" ADD CONSTRAINT "campaign_metrics_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_targets" ADD CONSTRAINT "campaign_targets_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outreach_drafts" ADD CONSTRAINT "outreach_drafts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outreach_drafts" ADD CONSTRAINT "outreach_drafts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outreach_drafts" ADD CONSTRAINT "outreach_drafts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outreach_drafts" ADD CONSTRAINT "outreach_drafts_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospect_research" ADD CONSTRAINT "prospect_research_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospect_research" ADD CONSTRAINT "prospect_research_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audits" ADD CONSTRAINT "audits_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity" ADD CONSTRAINT "capacity_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "go_no_go_decisions" ADD CONSTRAINT "go_no_go_decisions_audit_id_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."audits"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "go_no_go_decisions" ADD CONSTRAINT "go_no_go_decisions_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "go_no_go_decisions" ADD CONSTRAINT "go_no_go_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_go_no_go_id_go_no_go_decisions_id_fk" FOREIGN KEY ("go_no_go_id") REFERENCES "public"."go_no_go_decisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "readiness_assessments" ADD CONSTRAINT "readiness_assessments_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "readiness_assessments" ADD CONSTRAINT "readiness_assessments_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "readiness_assessments" ADD CONSTRAINT "readiness_assessments_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roi_calculations" ADD CONSTRAINT "roi_calculations_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roi_calculations" ADD CONSTRAINT "roi_calculations_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_audit_id_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."audits"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_asset_deployments" ADD CONSTRAINT "ai_asset_deployments_asset_id_ai_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."ai_assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_asset_deployments" ADD CONSTRAINT "ai_asset_deployments_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_asset_deployments" ADD CONSTRAINT "ai_asset_deployments_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_assets" ADD CONSTRAINT "ai_assets_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_assets" ADD CONSTRAINT "ai_assets_built_by_users_id_fk" FOREIGN KEY ("built_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD CONSTRAINT "ai_licenses_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD CONSTRAINT "ai_licenses_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_tasks" ADD CONSTRAINT "contact_tasks_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_tasks" ADD CONSTRAINT "contact_tasks_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_tasks" ADD CONSTRAINT "contact_tasks_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_tasks" ADD CONSTRAINT "contact_tasks_survey_response_id_survey_responses_id_fk" FOREIGN KEY ("survey_response_id") REFERENCES "public"."survey_responses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_milestones" ADD CONSTRAINT "engagement_milestones_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_services" ADD CONSTRAINT "engagement_services_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_services" ADD CONSTRAINT "engagement_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tools" ADD CONSTRAINT "engagement_tools_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_ai_assets" ADD CONSTRAINT "task_ai_assets_task_id_contact_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."contact_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_ai_assets" ADD CONSTRAINT "task_ai_assets_asset_id_ai_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."ai_assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_measurements" ADD CONSTRAINT "task_measurements_task_id_contact_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."contact_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attendance" ADD CONSTRAINT "training_attendance_session_id_training_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."training_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attendance" ADD CONSTRAINT "training_attendance_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_sessions" ADD CONSTRAINT "training_sessions_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_completed" ADD CONSTRAINT "work_completed_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_completed" ADD CONSTRAINT "work_completed_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_completed" ADD CONSTRAINT "work_completed_asset_id_ai_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."ai_assets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage_monthly" ADD CONSTRAINT "ai_usage_monthly_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage_monthly" ADD CONSTRAINT "ai_usage_monthly_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage_monthly" ADD CONSTRAINT "ai_usage_monthly_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
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
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_prefix_idx" ON "api_keys" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "api_keys_user_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "analytics_events_event_idx" ON "analytics_events" USING btree ("event");--> statement-breakpoint
CREATE INDEX "analytics_events_user_idx" ON "analytics_events" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "analytics_events_session_idx" ON "analytics_events" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "analytics_events_created_idx" ON "analytics_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "analytics_events_event_created_idx" ON "analytics_events" USING btree ("event","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "email_queue_idempotency_key_key" ON "email_queue" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "email_queue_status_next_idx" ON "email_queue" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "email_queue_created_idx" ON "email_queue" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feature_flags_key_key" ON "feature_flags" USING btree ("key");--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_name_key" ON "integrations" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_event_key" ON "webhook_deliveries" USING btree ("subscription_id","event_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_status_next_idx" ON "webhook_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_subscription_idx" ON "webhook_deliveries" USING btree ("subscription_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_event_types_idx" ON "webhook_subscriptions" USING gin ("event_types");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_enabled_idx" ON "webhook_subscriptions" USING btree ("enabled");--> statement-breakpoint
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
CREATE INDEX "leads_assigned_idx" ON "leads" USING btree ("assigned_to");--> statement-breakpoint
CREATE INDEX "campaign_content_campaign_idx" ON "campaign_content" USING btree ("campaign_id","content_type");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_metrics_period_key" ON "campaign_metrics" USING btree ("campaign_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_targets_target_key" ON "campaign_targets" USING btree ("campaign_id","target_type","target_id");--> statement-breakpoint
CREATE INDEX "campaign_targets_entity_idx" ON "campaign_targets" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "campaign_targets_status_idx" ON "campaign_targets" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE INDEX "campaigns_name_idx" ON "campaigns" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "campaigns_status_idx" ON "campaigns" USING btree ("status","start_date");--> statement-breakpoint
CREATE INDEX "campaigns_owner_idx" ON "campaigns" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "campaigns_created_idx" ON "campaigns" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "events_date_idx" ON "events" USING btree ("event_date");--> statement-breakpoint
CREATE INDEX "events_status_idx" ON "events" USING btree ("status","event_date");--> statement-breakpoint
CREATE INDEX "events_owner_idx" ON "events" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "events_created_idx" ON "events" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "outreach_drafts_contact_idx" ON "outreach_drafts" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "outreach_drafts_event_idx" ON "outreach_drafts" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "outreach_drafts_campaign_idx" ON "outreach_drafts" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "outreach_drafts_status_idx" ON "outreach_drafts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "prospect_research_contact_idx" ON "prospect_research" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "prospect_research_company_idx" ON "prospect_research" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "audits_company_idx" ON "audits" USING btree ("company_id","audit_date");--> statement-breakpoint
CREATE INDEX "audits_created_idx" ON "audits" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "capacity_user_key" ON "capacity" USING btree ("user_id") WHERE "capacity"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "capacity_team_member_idx" ON "capacity" USING btree (lower("team_member"));--> statement-breakpoint
CREATE INDEX "go_no_go_decisions_company_idx" ON "go_no_go_decisions" USING btree ("company_id","decision_date");--> statement-breakpoint
CREATE INDEX "go_no_go_decisions_audit_idx" ON "go_no_go_decisions" USING btree ("audit_id");--> statement-breakpoint
CREATE INDEX "go_no_go_decisions_decision_idx" ON "go_no_go_decisions" USING btree ("decision");--> statement-breakpoint
CREATE INDEX "go_no_go_decisions_decided_by_idx" ON "go_no_go_decisions" USING btree ("decided_by");--> statement-breakpoint
CREATE INDEX "go_no_go_decisions_created_idx" ON "go_no_go_decisions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "proposals_company_idx" ON "proposals" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "proposals_status_idx" ON "proposals" USING btree ("status","expires_date");--> statement-breakpoint
CREATE INDEX "proposals_go_no_go_idx" ON "proposals" USING btree ("go_no_go_id");--> statement-breakpoint
CREATE INDEX "proposals_deal_idx" ON "proposals" USING btree ("deal_id");--> statement-breakpoint
CREATE INDEX "proposals_owner_idx" ON "proposals" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "proposals_created_idx" ON "proposals" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "readiness_assessments_email_idx" ON "readiness_assessments" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "readiness_assessments_status_idx" ON "readiness_assessments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "readiness_assessments_created_idx" ON "readiness_assessments" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "readiness_assessments_lead_idx" ON "readiness_assessments" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "readiness_assessments_company_idx" ON "readiness_assessments" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "readiness_assessments_contact_idx" ON "readiness_assessments" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "roi_calculations_type_idx" ON "roi_calculations" USING btree ("type");--> statement-breakpoint
CREATE INDEX "roi_calculations_email_idx" ON "roi_calculations" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "roi_calculations_created_idx" ON "roi_calculations" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "roi_calculations_lead_idx" ON "roi_calculations" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "roi_calculations_company_idx" ON "roi_calculations" USING btree ("company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_contact_question_key" ON "survey_responses" USING btree ("contact_id","survey_type","question");--> statement-breakpoint
CREATE INDEX "survey_responses_company_idx" ON "survey_responses" USING btree ("company_id","survey_type");--> statement-breakpoint
CREATE INDEX "survey_responses_audit_idx" ON "survey_responses" USING btree ("audit_id");--> statement-breakpoint
CREATE INDEX "survey_responses_created_idx" ON "survey_responses" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "ai_asset_deployments_asset_idx" ON "ai_asset_deployments" USING btree ("asset_id","status");--> statement-breakpoint
CREATE INDEX "ai_asset_deployments_engagement_idx" ON "ai_asset_deployments" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "ai_asset_deployments_company_idx" ON "ai_asset_deployments" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "ai_assets_kind_status_idx" ON "ai_assets" USING btree ("kind","status");--> statement-breakpoint
CREATE INDEX "ai_assets_engagement_idx" ON "ai_assets" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "ai_assets_name_idx" ON "ai_assets" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "ai_assets_built_by_idx" ON "ai_assets" USING btree ("built_by");--> statement-breakpoint
CREATE INDEX "ai_licenses_engagement_idx" ON "ai_licenses" USING btree ("engagement_id","license_status");--> statement-breakpoint
CREATE INDEX "ai_licenses_contact_idx" ON "ai_licenses" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "ai_licenses_email_idx" ON "ai_licenses" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "contact_tasks_contact_idx" ON "contact_tasks" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_tasks_engagement_idx" ON "contact_tasks" USING btree ("engagement_id","ai_adoption_status");--> statement-breakpoint
CREATE INDEX "contact_tasks_company_idx" ON "contact_tasks" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "contact_tasks_survey_response_idx" ON "contact_tasks" USING btree ("survey_response_id");--> statement-breakpoint
CREATE INDEX "contracts_company_idx" ON "contracts" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "contracts_engagement_idx" ON "contracts" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "contracts_status_end_idx" ON "contracts" USING btree ("status","end_date");--> statement-breakpoint
CREATE UNIQUE INDEX "document_sequences_kind_year_key" ON "document_sequences" USING btree ("kind","year");--> statement-breakpoint
CREATE INDEX "engagement_milestones_engagement_idx" ON "engagement_milestones" USING btree ("engagement_id","position");--> statement-breakpoint
CREATE INDEX "engagement_milestones_due_idx" ON "engagement_milestones" USING btree ("due_date");--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_services_pair_key" ON "engagement_services" USING btree ("engagement_id","service_id");--> statement-breakpoint
CREATE INDEX "engagement_services_service_idx" ON "engagement_services" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "engagement_tools_engagement_idx" ON "engagement_tools" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "engagement_tools_tool_name_idx" ON "engagement_tools" USING btree (lower("tool_name"));--> statement-breakpoint
CREATE INDEX "engagement_tools_status_idx" ON "engagement_tools" USING btree ("status");--> statement-breakpoint
CREATE INDEX "engagements_company_idx" ON "engagements" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "engagements_proposal_idx" ON "engagements" USING btree ("proposal_id");--> statement-breakpoint
CREATE INDEX "engagements_status_idx" ON "engagements" USING btree ("status");--> statement-breakpoint
CREATE INDEX "engagements_go_live_idx" ON "engagements" USING btree ("go_live_date");--> statement-breakpoint
CREATE INDEX "engagements_end_date_idx" ON "engagements" USING btree ("end_date");--> statement-breakpoint
CREATE INDEX "engagements_assigned_idx" ON "engagements" USING btree ("assigned_to");--> statement-breakpoint
CREATE INDEX "engagements_owner_idx" ON "engagements" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "engagements_created_idx" ON "engagements" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_invoice_number_key" ON "invoices" USING btree ("invoice_number");--> statement-breakpoint
CREATE INDEX "invoices_company_idx" ON "invoices" USING btree ("company_id","issue_date");--> statement-breakpoint
CREATE INDEX "invoices_engagement_idx" ON "invoices" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "invoices_status_idx" ON "invoices" USING btree ("status");--> statement-breakpoint
CREATE INDEX "invoices_due_date_idx" ON "invoices" USING btree ("due_date");--> statement-breakpoint
CREATE INDEX "invoices_open_due_idx" ON "invoices" USING btree ("due_date") WHERE "invoices"."status" = 'sent' and "invoices"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "invoices_created_idx" ON "invoices" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "support_tickets_ticket_number_key" ON "support_tickets" USING btree ("ticket_number");--> statement-breakpoint
CREATE INDEX "support_tickets_company_status_idx" ON "support_tickets" USING btree ("company_id","status");--> statement-breakpoint
CREATE INDEX "support_tickets_engagement_idx" ON "support_tickets" USING btree ("engagement_id","request_date");--> statement-breakpoint
CREATE INDEX "support_tickets_contact_idx" ON "support_tickets" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "support_tickets_status_priority_idx" ON "support_tickets" USING btree ("status","priority");--> statement-breakpoint
CREATE INDEX "support_tickets_assigned_idx" ON "support_tickets" USING btree ("assigned_to");--> statement-breakpoint
CREATE INDEX "support_tickets_request_date_idx" ON "support_tickets" USING btree ("request_date");--> statement-breakpoint
CREATE INDEX "support_tickets_created_idx" ON "support_tickets" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_ai_assets_pair_key" ON "task_ai_assets" USING btree ("task_id","asset_id");--> statement-breakpoint
CREATE INDEX "task_ai_assets_asset_idx" ON "task_ai_assets" USING btree ("asset_id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_measurements_task_day_key" ON "task_measurements" USING btree ("task_id","measured_on");--> statement-breakpoint
CREATE INDEX "task_measurements_measured_on_idx" ON "task_measurements" USING btree ("measured_on");--> statement-breakpoint
CREATE UNIQUE INDEX "training_attendance_pair_key" ON "training_attendance" USING btree ("session_id","contact_id");--> statement-breakpoint
CREATE INDEX "training_attendance_contact_idx" ON "training_attendance" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "training_sessions_engagement_idx" ON "training_sessions" USING btree ("engagement_id","session_number");--> statement-breakpoint
CREATE INDEX "training_sessions_scheduled_idx" ON "training_sessions" USING btree ("scheduled_date");--> statement-breakpoint
CREATE INDEX "work_completed_engagement_date_idx" ON "work_completed" USING btree ("engagement_id","work_date");--> statement-breakpoint
CREATE INDEX "work_completed_user_date_idx" ON "work_completed" USING btree ("user_id","work_date");--> statement-breakpoint
CREATE INDEX "work_completed_asset_idx" ON "work_completed" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "work_completed_date_idx" ON "work_completed" USING btree ("work_date");--> statement-breakpoint
CREATE UNIQUE INDEX "ai_usage_idempotency_key_key" ON "ai_usage" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "ai_usage_engagement_date_idx" ON "ai_usage" USING btree ("engagement_id","usage_date","contact_id");--> statement-breakpoint
CREATE INDEX "ai_usage_company_date_idx" ON "ai_usage" USING btree ("company_id","usage_date");--> statement-breakpoint
CREATE INDEX "ai_usage_contact_date_idx" ON "ai_usage" USING btree ("contact_id","usage_date");--> statement-breakpoint
CREATE INDEX "ai_usage_monthly_company_month_idx" ON "ai_usage_monthly" USING btree ("company_id","month");--> statement-breakpoint
CREATE INDEX "ai_usage_monthly_contact_idx" ON "ai_usage_monthly" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "llm_model_prices_model_from_key" ON "llm_model_prices" USING btree ("provider","model","effective_from");--> statement-breakpoint
CREATE INDEX "llm_usage_logs_workflow_created_idx" ON "llm_usage_logs" USING btree ("workflow_name","created_at");--> statement-breakpoint
CREATE INDEX "llm_usage_logs_model_created_idx" ON "llm_usage_logs" USING btree ("model","created_at");--> statement-breakpoint
CREATE INDEX "llm_usage_logs_created_idx" ON "llm_usage_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "llm_usage_logs_entity_idx" ON "llm_usage_logs" USING btree ("entity_type","entity_id") WHERE "llm_usage_logs"."entity_id" is not null;