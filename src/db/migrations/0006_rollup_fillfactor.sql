ALTER TABLE "ai_usage_monthly" SET (fillfactor = 50);
