-- Issue 14: a resident who lost a receipt recovers their named appeals with an SMS code.
--
-- `recovery_codes`: at most one live code per number (the primary key; a new request replaces
-- the row). `phone_key` is SHA-256 of the normalised number, so a number that has no named
-- appeal is not kept in clear; `phone` is filled only when it has some (the SMS goes there and
-- the recovery session lists them). `code_hash` is SHA-256 over the phone key and the 6-digit
-- code; for an unknown number it is the digest of a random value no code matches. The code is
-- bound to the browser that asked for it: `request_hash` is SHA-256 of a random id kept in an
-- HttpOnly cookie. Five wrong codes make `attempts` reach the limit and the code dead.
CREATE TABLE recovery_codes (
    phone_key TEXT PRIMARY KEY,
    phone TEXT,
    request_hash TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX recovery_codes_expires ON recovery_codes(expires_at);

-- One row per counted event, so the limits (codes per number per hour and per day, requests
-- per client per hour) are exact sliding windows on the portal's clock that every node sees:
-- bucket 'n:<phone key>' for a code issued, 'c:<client key>' for a request. Rows older than a
-- day are deleted by the next request.
CREATE TABLE recovery_requests (
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX recovery_requests_bucket ON recovery_requests(bucket, at);
CREATE INDEX recovery_requests_at ON recovery_requests(at);

-- A recovery session: the SHA-256 of a random id kept in an HttpOnly cookie, the number it
-- proved, 30 minutes.
CREATE TABLE recovery_sessions (
    id_hash TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX recovery_sessions_expires ON recovery_sessions(expires_at);
