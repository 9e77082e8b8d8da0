-- A rejected testimonial keeps its photo only for the retention period (limits.rejected_photo_retention,
-- default 30 days). Then the photo is unlinked (media_sha256 becomes NULL, the file is deleted when
-- no other item uses it) and the time it went is recorded here.
ALTER TABLE testimonials ADD COLUMN photo_removed_at TEXT;

-- The retention sweep looks for rejected items that still have a photo, oldest decision first.
CREATE INDEX testimonials_rejected_photos ON testimonials (decided_at)
    WHERE status = 'rejected' AND media_sha256 IS NOT NULL;
