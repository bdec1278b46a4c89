CREATE TABLE "import_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid,
	"created_role" text NOT NULL,
	"target" text NOT NULL,
	"source_format" text DEFAULT 'generic' NOT NULL,
	"file_name" text,
	"mapping" jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"header_signature" text NOT NULL,
	"csv" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"created_count" integer DEFAULT 0 NOT NULL,
	"updated_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" text,
	"faults" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp (3) with time zone,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_jobs_created_role_check" CHECK ("import_jobs"."created_role" in ('admin', 'editor', 'viewer')),
	CONSTRAINT "import_jobs_target_check" CHECK ("import_jobs"."target" in ('companies', 'contacts', 'leads', 'interactions', 'ai_usage')),
	CONSTRAINT "import_jobs_source_format_check" CHECK ("import_jobs"."source_format" in ('generic', 'hubspot', 'pipedrive')),
	CONSTRAINT "import_jobs_mapping_check" CHECK (jsonb_typeof("import_jobs"."mapping") = 'object'),
	CONSTRAINT "import_jobs_status_check" CHECK ("import_jobs"."status" in ('pending', 'running', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "import_jobs_total_rows_check" CHECK ("import_jobs"."total_rows" >= 0),
	CONSTRAINT "import_jobs_processed_rows_check" CHECK ("import_jobs"."processed_rows" >= 0 and "import_jobs"."processed_rows" <= "import_jobs"."total_rows"),
	CONSTRAINT "import_jobs_created_count_check" CHECK ("import_jobs"."created_count" >= 0),
	CONSTRAINT "import_jobs_updated_count_check" CHECK ("import_jobs"."updated_count" >= 0),
	CONSTRAINT "import_jobs_skipped_count_check" CHECK ("import_jobs"."skipped_count" >= 0),
	CONSTRAINT "import_jobs_error_count_check" CHECK ("import_jobs"."error_count" >= 0),
	CONSTRAINT "import_jobs_errors_check" CHECK (jsonb_typeof("import_jobs"."errors") = 'array'),
	CONSTRAINT "import_jobs_faults_check" CHECK ("import_jobs"."faults" >= 0)
);
--> statement-breakpoint
CREATE TABLE "import_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"target" text NOT NULL,
	"header_signature" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_mappings_user_target_signature_key" UNIQUE NULLS NOT DISTINCT("user_id","target","header_signature"),
	CONSTRAINT "import_mappings_target_check" CHECK ("import_mappings"."target" in ('companies', 'contacts', 'leads', 'interactions', 'ai_usage')),
	CONSTRAINT "import_mappings_mapping_check" CHECK (jsonb_typeof("import_mappings"."mapping") = 'object')
);
--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_mappings" ADD CONSTRAINT "import_mappings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_jobs_status_lease_idx" ON "import_jobs" USING btree ("status","lease_until");--> statement-breakpoint
CREATE INDEX "import_jobs_created_by_idx" ON "import_jobs" USING btree ("created_by","created_at");