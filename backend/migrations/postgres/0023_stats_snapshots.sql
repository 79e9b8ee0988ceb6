-- Issue 12: the public figures of a month, quarter or year that has ended, counted once and kept
-- (`services::stats`), so a visitor asking for an old period reads one row instead of waiting
-- seconds for a count of it, and every app node shares the count. `figures` is the period's
-- figures for every region as JSON; `regions_key` a fingerprint of the region hierarchy they
-- were counted under (a re-import moves appeals between regions: figures kept under another one
-- are counted again); `counted_at` when (Unix seconds): an ended period is counted again once a
-- day (the last month, quarter and year over more often), for late ratings and reopened appeals.
CREATE TABLE stats_snapshots (
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    regions_key BIGINT NOT NULL,
    counted_at BIGINT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (period_start, period_end)
);
