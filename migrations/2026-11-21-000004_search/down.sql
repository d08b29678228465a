DROP TABLE saved_searches;
DROP TABLE favorites;
DROP TRIGGER listings_record_title_words ON listings;
DROP FUNCTION record_title_words();
DROP TABLE title_words;
DROP INDEX listings_price_idx;
DROP INDEX listings_earth_idx;
