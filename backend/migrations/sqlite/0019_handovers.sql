-- Issue 12: an appeal handed to another unit after the end of a period is counted, in that
-- period's public figures, for the unit that held it at the end (the one its first later
-- hand-over left). Those few events are found by kind and time through this partial index; its
-- kind list is the one the query writes (`store::counts::HANDOVER_KINDS`), which SQLite needs to
-- see word for word to use it.
CREATE INDEX appeal_events_handover_at ON appeal_events (kind, at, ticket)
    WHERE kind IN ('transferred', 'escalated', 'auto_escalated', 'reopened_unsatisfied');
