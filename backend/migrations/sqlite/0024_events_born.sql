-- Issue 11: an appeal's events are found through the appeal's submission time (`born`, a copy of
-- `appeals.submitted_at`) and then its ticket. Ticket numbers are random by design, so the old
-- index by ticket put every new appeal's events on a random page of the index: one more 4 KB page
-- written, synced and checkpointed per appeal, about a sixth of the writer's time. Indexed by
-- `born` first, new appeals' events go next to each other at the end of the index. Readers ask
-- `born = (SELECT submitted_at FROM appeals WHERE ticket = $1) AND ticket = $1`; writers fill
-- `born` with the same subquery (`store::appeals`). An event written without it would vanish from
-- its timeline, so the trigger refuses it (PostgreSQL: NOT NULL).
ALTER TABLE appeal_events ADD COLUMN born BIGINT;
UPDATE appeal_events SET born = (SELECT a.submitted_at FROM appeals a WHERE a.ticket = appeal_events.ticket);
CREATE INDEX appeal_events_born ON appeal_events (born, ticket, id);
DROP INDEX appeal_events_ticket;
CREATE TRIGGER appeal_events_born_required BEFORE INSERT ON appeal_events
WHEN NEW.born IS NULL
BEGIN
    SELECT RAISE(ABORT, 'appeal_events.born is required (the appeal''s submitted_at)');
END;
