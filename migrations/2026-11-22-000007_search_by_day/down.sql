CREATE INDEX zip_listing_counts_earth_idx ON zip_listing_counts
    USING gist (ll_to_earth(latitude, longitude));
DROP INDEX listings_search_idx;
CREATE INDEX listings_search_idx ON listings USING gin (search);
DROP FUNCTION listing_day(TIMESTAMPTZ);
DROP EXTENSION btree_gin;
