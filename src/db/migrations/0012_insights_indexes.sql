CREATE INDEX "deals_close_idx" ON "deals" USING btree ("actual_close_date");--> statement-breakpoint
CREATE INDEX "interactions_date_idx" ON "interactions" USING btree ("interaction_date");--> statement-breakpoint
CREATE INDEX "survey_responses_sent_idx" ON "survey_responses" USING btree ("survey_type","survey_sent_date") WHERE "survey_responses"."survey_sent";--> statement-breakpoint
CREATE INDEX "invoices_issue_date_idx" ON "invoices" USING btree ("issue_date");--> statement-breakpoint
CREATE INDEX "invoices_paid_date_idx" ON "invoices" USING btree ("paid_date") WHERE "invoices"."status" = 'paid';--> statement-breakpoint
CREATE INDEX "support_tickets_resolved_idx" ON "support_tickets" USING btree ("resolved_at") WHERE "support_tickets"."resolved_at" is not null;--> statement-breakpoint
CREATE INDEX "ai_usage_monthly_month_idx" ON "ai_usage_monthly" USING btree ("month");