DROP INDEX listings_search_idx;
CREATE INDEX listings_search_idx ON listings USING gin (search, listing_day(renewed_at))
    WHERE status IN ('active', 'pending');
ALTER TABLE listings DROP COLUMN pairs;
DROP FUNCTION phrase_pairs(TSQUERY);
DROP FUNCTION word_pairs(TSVECTOR);
