-- Issue 13: supervision notices issued by hand (提示, 预警, 督办, 交办, 警示) and the leader in
-- charge of an appeal (领导包案). The automatic notices of the supervision job stay in
-- appeal_notices; these are written by an overseeing dispatcher and answered by the unit.

CREATE TABLE hand_notices (
    id TEXT PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    -- reminder | warning | supervision | assignment | admonition (domain::notices::NoticeKind)
    kind TEXT NOT NULL,
    to_unit TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The answer is due by the end of this day (China time), Unix seconds.
    due_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_unit TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    answer TEXT,
    answered_at BIGINT,
    answered_by TEXT,
    -- The issuer chose to let the resident see that the notice was issued (never its reason).
    public INTEGER NOT NULL DEFAULT 0,
    -- Set when the appeal was handed over (transfer, escalation) before the answer: the unit it
    -- went to no longer holds the appeal and cannot answer, so it is neither owed nor overdue.
    lapsed_at BIGINT
);
CREATE INDEX hand_notices_ticket ON hand_notices(ticket, issued_at);
CREATE INDEX hand_notices_issued ON hand_notices(issued_at);

-- At most one leader in charge per appeal; naming another replaces the first (only from the
-- naming unit or above: named_unit is what that precedence is checked against).
CREATE TABLE appeal_owners (
    ticket TEXT PRIMARY KEY REFERENCES appeals(ticket),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    named_by TEXT NOT NULL,
    named_unit TEXT NOT NULL,
    named_at BIGINT NOT NULL
);
CREATE INDEX appeal_owners_staff ON appeal_owners(staff_id);
