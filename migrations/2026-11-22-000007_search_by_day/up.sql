-- Newest-first searches read matches a few days at a time. The day a listing was posted or
-- last renewed (days since 1970-01-01, UTC) joins its words in one GIN index, so "these words,
-- on these days" is answered inside the index: a word found in 1,500 listings over a year
-- costs the ~100 on its last few weeks, not all 1,500. (The epoch does not depend on the time
-- zone, so the function is immutable.) Public listings only, like the other search indexes.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE FUNCTION listing_day(at TIMESTAMPTZ) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN floor(extract(epoch FROM at) / 86400)::integer;

DROP INDEX listings_search_idx;
CREATE INDEX listings_search_idx ON listings USING gin (search, listing_day(renewed_at))
    WHERE status IN ('active', 'pending');

-- Radius searches add up the per-ZIP counts in the app's memory now.
DROP INDEX zip_listing_counts_earth_idx;
