-- Deleting a listing can be undone for 30 days: when it was deleted, and what it was before.
-- Moderated listings (hidden, removed) cannot be deleted by their owner, so a restore never
-- brings one back out of moderation.
ALTER TABLE listings
    ADD COLUMN deleted_at TIMESTAMPTZ,
    ADD COLUMN status_before_delete TEXT
        CHECK (status_before_delete IN ('active', 'pending', 'sold', 'expired'));
UPDATE listings SET deleted_at = updated_at WHERE status = 'deleted';
CREATE INDEX listings_deleted_idx ON listings (deleted_at) WHERE status = 'deleted';

-- "New since you last looked" is counted at most every few minutes, not on every visit.
ALTER TABLE saved_searches
    ADD COLUMN new_matches INTEGER,
    ADD COLUMN counted_at TIMESTAMPTZ;

-- Expired logins are swept by the janitor through this index.
CREATE INDEX user_sessions_created_idx ON user_sessions (created_at);

-- Rate-limit counters are cheap to lose (a crash forgives the current window) and written on
-- every search, so they skip the write-ahead log.
ALTER TABLE rate_limits SET UNLOGGED;

-- Number attributes say what they count, so a model year reads "2005", not "2,005".
UPDATE categories SET attributes = (
    SELECT jsonb_agg(CASE a->>'key'
                         WHEN 'year' THEN a || '{"format": "year"}'
                         WHEN 'bedrooms' THEN a || '{"format": "count"}'
                         WHEN 'bathrooms' THEN a || '{"format": "count"}'
                         ELSE a
                     END ORDER BY ord)
    FROM jsonb_array_elements(attributes) WITH ORDINALITY AS t(a, ord))
WHERE jsonb_array_length(attributes) > 0;
