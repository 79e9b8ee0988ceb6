-- Issue 9 §3: nothing a resident wrote is public unless they asked for it and staff approved it.
-- The resident's original description stays in `description` (staff only); what the public may
-- read is the separate, moderated `public_text`, shown only while publish_state = 'approved'
-- and never for a sensitive category (domain::publication).

-- 1 when the resident ticked "publish my description" (off by default; never from Open311).
ALTER TABLE appeals ADD COLUMN publish_requested INTEGER NOT NULL DEFAULT 0;
-- NULL when not requested; 'pending', 'approved' or 'declined' once requested.
ALTER TABLE appeals ADD COLUMN publish_state TEXT;
-- The approved (possibly redacted) text; NULL unless approved.
ALTER TABLE appeals ADD COLUMN public_text TEXT;
-- The staff member (staff.id) who last decided, and when (Unix seconds).
ALTER TABLE appeals ADD COLUMN moderated_by TEXT;
ALTER TABLE appeals ADD COLUMN moderated_at BIGINT;
-- The moderation queue: requested appeals by state.
CREATE INDEX appeals_publish ON appeals(publish_state);
