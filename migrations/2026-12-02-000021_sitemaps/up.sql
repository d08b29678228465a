-- The sitemaps cut the public listings into ranges of ids; this index finds which ranges hold
-- any (one probe a range) and reads a range's listings in order.
CREATE INDEX listings_public_id_idx ON listings (id) WHERE status IN ('active', 'pending');
