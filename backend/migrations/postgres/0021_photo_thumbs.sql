-- Small copies of photos for lists (issue 14): a square JPEG of THUMB_SIDE px made from the
-- re-encoded photo when it is accepted, moved with it from the draft to the appeal. Photos
-- stored before this migration have none (NULL): lists then get the full photo.
ALTER TABLE draft_photos ADD COLUMN thumb BYTEA;
ALTER TABLE appeal_photos ADD COLUMN thumb BYTEA;
