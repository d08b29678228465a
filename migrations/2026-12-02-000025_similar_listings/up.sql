-- "Similar listings" on a listing page: the nearest public listings of its category, read
-- nearest first straight from this index (a KNN scan with the category as its condition),
-- whatever the category's size or the area's density.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX listings_category_earth_idx ON listings
    USING gist (category_id, ll_to_earth(latitude, longitude))
    WHERE status IN ('active', 'pending');
