-- Issue 9 §4: sign-in a stranger cannot lock, and a second factor.

-- Failed sign-ins per (typed user name, client address), kept in the database so every node sees
-- the same count. A row grows a delay (blocked_until) after a few failures; the correct password
-- from another client is never refused because of it. Cleared by a success; old rows are swept.
CREATE TABLE signin_failures (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    PRIMARY KEY (username, client)
);
CREATE INDEX signin_failures_last ON signin_failures(last_at);

-- A confirmed TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s). last_step is the newest time
-- step accepted: a code (or an older one) is never accepted twice.
CREATE TABLE staff_totp (
    staff_id TEXT PRIMARY KEY REFERENCES staff(id),
    secret TEXT NOT NULL,
    last_step BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes: SHA-256 of 80 random bits each, used_at set when spent.
CREATE TABLE staff_recovery_codes (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);
