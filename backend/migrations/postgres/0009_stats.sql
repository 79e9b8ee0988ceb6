-- Issue 12: the grid's figures from aggregates that stay fast at a million appeals.
-- * Each appeal keeps its latest rating, so satisfaction is counted in the same pass as the rest
--   (written with the rating, `store::supervision::rate`).
-- * One covering index serves that pass: the period (submitted_at) first, then everything the
--   counts read, so no table row is visited. It replaces the plain submitted_at index.
-- * Partial indexes for the rare events and notices the figures count (escalations, reopenings,
--   supervision): the common events (submitted, routed, replies) do not pay for them.
ALTER TABLE appeals ADD COLUMN rating TEXT;
UPDATE appeals SET rating = (SELECT r.rating FROM ratings r WHERE r.ticket = appeals.ticket ORDER BY r.cycle DESC LIMIT 1);
DROP INDEX appeals_submitted;
CREATE INDEX appeals_stats ON appeals (submitted_at, scope_path, status, signed_at, sign_by_at, closed_at, deadline_at, rating);
CREATE INDEX appeal_events_flag ON appeal_events (kind, ticket) WHERE kind IN ('escalated', 'auto_escalated', 'reopened_unsatisfied');
CREATE INDEX appeal_notices_supervision ON appeal_notices (stage, ticket) WHERE stage = 'supervision';
