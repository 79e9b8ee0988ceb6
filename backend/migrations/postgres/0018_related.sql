-- Related and repeated appeals (issue 13).
--
-- `merged_into`: the main appeal this one follows (a duplicate merged by staff, or joined by its
-- resident in the wizard, `merged_by` = 'staff' or 'resident'). Always a main appeal itself
-- (never a chain): merging into a merged appeal goes to its main, and an appeal's own followers
-- move with it when it is merged away. A merged appeal is not supervised on its own and is closed
-- with its main appeal.
ALTER TABLE appeals ADD COLUMN merged_into TEXT REFERENCES appeals(ticket);
ALTER TABLE appeals ADD COLUMN merged_at BIGINT;
ALTER TABLE appeals ADD COLUMN merged_by TEXT;
CREATE INDEX appeals_merged_into ON appeals(merged_into) WHERE merged_into IS NOT NULL;
-- The wizard's offer: open appeals of one category in one grid cell.
CREATE INDEX appeals_cell_category ON appeals(cell, category, status) WHERE cell IS NOT NULL;

-- Related appeals linked by staff (no status effect), stored once per pair: a < b.
CREATE TABLE appeal_links (
    a TEXT NOT NULL REFERENCES appeals(ticket),
    b TEXT NOT NULL REFERENCES appeals(ticket),
    linked_at BIGINT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX appeal_links_b ON appeal_links(b);
