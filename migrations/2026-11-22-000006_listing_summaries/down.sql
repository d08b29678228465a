DROP STATISTICS listings_price_stats;
DROP INDEX listings_price_idx;
CREATE INDEX listings_price_idx ON listings (price_cents, id) WHERE status IN ('active', 'pending');
DROP TRIGGER listings_count_by_zip ON listings;
DROP FUNCTION count_public_listings_by_zip();
DROP TABLE zip_listing_counts;
DROP TRIGGER listing_photos_summary ON listing_photos;
DROP FUNCTION refresh_listing_photo_summary();
ALTER TABLE listings DROP COLUMN cover_thumb_key, DROP COLUMN photo_count;
