-- Issue 11: an appeal's events are found through the appeal's submission time (`born`, a copy of
-- `appeals.submitted_at`) and then its ticket. Ticket numbers are random by design, so the old
-- index by ticket put every new appeal's events on a random page of the index: one more page
-- written per appeal. Indexed by `born` first, new appeals' events go next to each other at the
-- end of the index. Readers ask `born = (SELECT submitted_at FROM appeals WHERE ticket = $1) AND
-- ticket = $1`; writers fill `born` with the same subquery (`store::appeals`). An event written
-- without it would vanish from its timeline, so the column is NOT NULL.
ALTER TABLE appeal_events ADD COLUMN born BIGINT;
UPDATE appeal_events e SET born = a.submitted_at FROM appeals a WHERE a.ticket = e.ticket;
ALTER TABLE appeal_events ALTER COLUMN born SET NOT NULL;
CREATE INDEX appeal_events_born ON appeal_events (born, ticket, id);
DROP INDEX appeal_events_ticket;
