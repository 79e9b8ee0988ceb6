-- Issue 9 §1–2: drafts, receipts and the track page belong to one browser.
--
-- A draft is bound to the browser that started it by a second secret kept in an HttpOnly cookie;
-- the row keeps only its SHA-256. Rows from before this migration have none and are "expired".
ALTER TABLE drafts ADD COLUMN browser_hash TEXT;

-- The track page no longer takes the key in its URL: a POST checks ticket and key once and
-- leaves a random id in an HttpOnly cookie; this table holds its SHA-256 and the ticket it
-- opens, until it expires or the resident says "forget on this phone".
CREATE TABLE track_sessions (
    id_hash TEXT PRIMARY KEY,
    ticket TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX track_sessions_expires ON track_sessions(expires_at);

-- A flash is read only with the track session it was made for (its id travels in a cookie, no
-- longer in the URL); '' for the lookup form's own errors, which need no session.
ALTER TABLE resident_flash ADD COLUMN owner TEXT NOT NULL DEFAULT '';
