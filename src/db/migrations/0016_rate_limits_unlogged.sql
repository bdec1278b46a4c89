-- Request counters are disposable (a lost window only resets a limit) and written on every
-- request: unlogged, they skip the write-ahead log and its sync, which the load benchmark
-- found in 6-7% of PostgreSQL's samples. A crash empties the table, which is harmless.
ALTER TABLE "rate_limits" SET UNLOGGED;
