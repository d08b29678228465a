DROP INDEX listings_public_expiry_idx;
DROP TRIGGER listings_count_by_category ON listings;
DROP FUNCTION count_public_listings_by_category();
DROP TABLE category_listing_counts;
