DROP INDEX "invoices_engagement_idx";--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD COLUMN "monthly_cost" numeric(14, 2);--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD COLUMN "currency" text DEFAULT 'AUD' NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_engagement_issue_idx" ON "invoices" USING btree ("engagement_id","issue_date");--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD CONSTRAINT "ai_licenses_monthly_cost_check" CHECK ("ai_licenses"."monthly_cost" >= 0);--> statement-breakpoint
ALTER TABLE "ai_licenses" ADD CONSTRAINT "ai_licenses_currency_check" CHECK ("ai_licenses"."currency" in ('AUD', 'TTD', 'USD'));