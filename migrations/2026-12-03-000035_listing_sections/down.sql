DROP STATISTICS listings_category_section;
DROP TRIGGER categories_section ON categories;
DROP FUNCTION move_category_listings();
DROP TRIGGER listings_section ON listings;
DROP FUNCTION set_listing_section();
ALTER TABLE listings DROP COLUMN section_id;
DROP FUNCTION category_section(INTEGER);
