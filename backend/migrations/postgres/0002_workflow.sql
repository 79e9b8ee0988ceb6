-- Staff workspace (issue 4) and supervision (issue 5): staff accounts and their sessions, the
-- hash-chained audit log, co-handlers summoned to an appeal, the holiday calendar, supervision
-- notices, extension requests, the notification outbox and satisfaction ratings.

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit TEXT NOT NULL,
    role TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX staff_unit ON staff(unit);

-- tower-sessions records (JSON), keyed by the session id.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Append-only. seq is assigned under the lock of audit_head's single row, so the chain has one
-- order on every engine and every node; hash = SHA-256(prev_hash | fields).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    ticket TEXT,
    detail TEXT NOT NULL,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_ticket ON audit_log(ticket, seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

ALTER TABLE appeals ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
-- Region path of the assigned unit ('/SF/HD/HD01/'): a centre's scope is a prefix.
ALTER TABLE appeals ADD COLUMN scope_path TEXT NOT NULL DEFAULT '';
-- Bumped by every change; the first statement of each action, so it takes the write lock.
ALTER TABLE appeals ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN signed_at BIGINT;
ALTER TABLE appeals ADD COLUMN closed_at BIGINT;
ALTER TABLE appeals ADD COLUMN resolution TEXT;
-- The current deadline cycle: starts at submission, again at each reopening.
ALTER TABLE appeals ADD COLUMN cycle INTEGER NOT NULL DEFAULT 1;
ALTER TABLE appeals ADD COLUMN clock_start_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN sign_by_at BIGINT NOT NULL DEFAULT 0;
-- When the current sign-for deadline started (submission, or the last hand-over to a new unit).
ALTER TABLE appeals ADD COLUMN sign_start_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN supervised INTEGER NOT NULL DEFAULT 0;
CREATE INDEX appeals_scope ON appeals(scope_path, status);
CREATE INDEX appeals_open_deadline ON appeals(status, deadline_at);

ALTER TABLE appeal_events ADD COLUMN actor_name TEXT;
ALTER TABLE appeal_events ADD COLUMN detail TEXT;

CREATE TABLE appeal_cohandlers (
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    unit TEXT NOT NULL,
    summoned_at BIGINT NOT NULL,
    reported_at BIGINT,
    report TEXT,
    PRIMARY KEY (ticket, unit)
);
CREATE INDEX appeal_cohandlers_unit ON appeal_cohandlers(unit, reported_at);

-- Public holidays and make-up working days (YYYY-MM-DD, city local time).
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per appeal, deadline cycle, deadline (which one, and when it was due) and stage: the
-- primary key is what makes each notice fire once, whichever job run or node gets there first.
-- A moved deadline (an approved extension, a new unit's sign-for deadline) starts a new series.
CREATE TABLE appeal_notices (
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    cycle INTEGER NOT NULL,
    deadline TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    stage TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (ticket, cycle, deadline, due_at, stage)
);

CREATE TABLE extensions (
    id TEXT PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    unit TEXT NOT NULL,
    days INTEGER NOT NULL,
    reason TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    decision TEXT,
    decided_at BIGINT,
    decided_by TEXT,
    note TEXT
);
CREATE INDEX extensions_ticket ON extensions(ticket);

CREATE TABLE ratings (
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    cycle INTEGER NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (ticket, cycle)
);

-- Written in the same transaction as the event it announces; delivered by the outbox worker.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    recipient TEXT NOT NULL,
    ticket TEXT,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claim_until BIGINT,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at);

-- Small shared facts every node polls, e.g. catalog_version (bumped by each region import so
-- every app node rebuilds its routing index without a restart).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('catalog_version', '0');

-- What a resident's track-page form sends back after a post (errors and the typed text, or a
-- thank-you), read once by the page the redirect leads to. Residents have no session: the
-- random id travels in that redirect's URL.
CREATE TABLE resident_flash (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
