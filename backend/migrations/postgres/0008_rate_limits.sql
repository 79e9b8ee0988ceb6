-- Issue 11: rate limits every node sees. With several app nodes on one PostgreSQL, a budget kept
-- in each process would be multiplied by the number of nodes; the limiters count here instead
-- (one fixed window per limiter and client: bucket = '<limiter>:<client key>'). Old windows are
-- swept hourly. A single SQLite node keeps counting in memory; the table exists on both engines
-- so the schemas stay the same.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits(window_start);
