DROP INDEX listings_flagged_posted_idx, listings_unlisted_posted_idx;
CREATE INDEX listings_status_posted_idx ON listings (status, created_at DESC, id DESC);
