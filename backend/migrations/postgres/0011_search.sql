-- Issue 12: staff search the inbox by a resident's phone number (scoped and audited in
-- store::appeals::search_sql). Only named appeals carry one, so the index is partial.
CREATE INDEX appeals_contact_phone ON appeals (contact_phone) WHERE contact_phone IS NOT NULL;
