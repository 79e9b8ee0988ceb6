-- Issue 13: summonses with duties (吹哨报到).
--
-- Which kinds of department (`hrss`, `housing`, …: a unit's kind after `department:`) a centre
-- may summon for an appeal of a category. A category without rows lets it summon any department
-- of the district. Admins edit the list at /staff/admin/summons (audited).
CREATE TABLE summon_rules (
    category TEXT NOT NULL,
    dept_kind TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (category, dept_kind)
);
INSERT INTO summon_rules (category, dept_kind, updated_at) VALUES
    ('wage_arrears', 'hrss', 0),
    ('wage_arrears', 'justice', 0),
    ('property_mgmt', 'housing', 0),
    ('property_mgmt', 'market', 0),
    ('pollution', 'ecology', 0),
    ('food_drug', 'market', 0),
    ('legal_aid', 'justice', 0),
    ('public_order', 'justice', 0),
    ('public_order', 'market', 0),
    ('safety_hazard', 'housing', 0),
    ('safety_hazard', 'market', 0),
    ('safety_hazard', 'ecology', 0),
    ('land_demolition', 'housing', 0),
    ('land_demolition', 'justice', 0);

-- Each summons gets a report-back deadline (NULL for summonses made before this migration, which
-- are not watched), remembers which unit summoned (the one that rates the report), and the
-- rating: `rating` is a satisfaction code (satisfied / basically / unsatisfied), set once.
ALTER TABLE appeal_cohandlers ADD COLUMN due_at BIGINT;
ALTER TABLE appeal_cohandlers ADD COLUMN summoned_by TEXT;
ALTER TABLE appeal_cohandlers ADD COLUMN rating TEXT;
ALTER TABLE appeal_cohandlers ADD COLUMN rating_note TEXT;
ALTER TABLE appeal_cohandlers ADD COLUMN rated_at BIGINT;
ALTER TABLE appeal_cohandlers ADD COLUMN rated_by TEXT;
CREATE INDEX appeal_cohandlers_due ON appeal_cohandlers (due_at);

-- One row per summons (appeal, department, when it was summoned) and stage (warning,
-- supervision): the primary key makes each fire exactly once, whichever job run or node gets
-- there first. A new summons of the same department starts a new series.
CREATE TABLE summons_notices (
    ticket TEXT NOT NULL REFERENCES appeals(ticket),
    unit TEXT NOT NULL,
    summoned_at BIGINT NOT NULL,
    stage TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (ticket, unit, summoned_at, stage)
);
