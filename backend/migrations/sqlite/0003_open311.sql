-- Open311 GeoReport v2 (issue 3): API keys of the client applications allowed to submit, and
-- what the appeals table must know about an appeal that came through the API.

-- Only SHA-256 of a key is kept; the key itself is shown once, when it is created.
-- A revoked key stays (revoked_at set) so the channel of its appeals keeps naming it.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- 'web' (the wizard) or 'open311:<api_keys.id>'.
ALTER TABLE appeals ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
-- An http(s) URL given by an Open311 client; stored as text, never fetched.
ALTER TABLE appeals ADD COLUMN media_url TEXT;
-- 1 when the resident agreed to publish the exact point; until then Open311 shows the centre of
-- the grid cell only.
ALTER TABLE appeals ADD COLUMN public_location INTEGER NOT NULL DEFAULT 0;
-- The public list is a window of submission times, newest first.
CREATE INDEX appeals_submitted ON appeals(submitted_at);
