-- Issue 13: follow-up calls (回访) and reply templates per category.
--
-- One row per call made to a resident about a closed appeal's round (`cycle`). A call that did
-- not reach the resident keeps the appeal in the callback queue (the rows are the attempts); a
-- reached one takes it out for that round. `satisfaction` is only set for a reached call.
CREATE TABLE callbacks (
    id TEXT PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    cycle BIGINT NOT NULL,
    reached INTEGER NOT NULL,
    satisfaction TEXT,
    note TEXT,
    at BIGINT NOT NULL,
    by_staff TEXT NOT NULL,
    unit TEXT NOT NULL
);
CREATE INDEX callbacks_ticket ON callbacks (ticket, cycle);

-- How a round's rating was given: by the resident on the track page ('resident'), or told on a
-- follow-up call when the resident had not rated ('callback'). Both count in the figures.
ALTER TABLE ratings ADD COLUMN channel TEXT NOT NULL DEFAULT 'resident';

-- Texts staff may start a reply from, per appeal category; edited by admins (audited).
CREATE TABLE reply_templates (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX reply_templates_category ON reply_templates (category, title);
