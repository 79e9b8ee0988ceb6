-- Issue 13: the dashboard counts the follow-up calls made in a period (`store::callbacks::figures`,
-- `WHERE c.at >= $1 AND c.at < $2`); without an index by time that read every call ever made.
CREATE INDEX callbacks_at ON callbacks (at, ticket);
