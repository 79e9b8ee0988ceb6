-- Issue 12, after measuring 0009 at a million appeals: the figures read the escalations,
-- reopenings and supervision notices of one period, so their partial indexes are by time (kind or
-- stage, then when), not by appeal.
DROP INDEX appeal_events_flag;
DROP INDEX appeal_notices_supervision;
CREATE INDEX appeal_events_flag_at ON appeal_events (kind, at, ticket) WHERE kind IN ('escalated', 'auto_escalated', 'reopened_unsatisfied');
CREATE INDEX appeal_notices_supervision_at ON appeal_notices (stage, fired_at, ticket) WHERE stage = 'supervision';
