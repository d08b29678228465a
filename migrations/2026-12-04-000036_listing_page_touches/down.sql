DROP TRIGGER set_updated_at ON listings;
DROP FUNCTION set_listing_updated_at();
SELECT diesel_manage_updated_at('listings');
DROP TRIGGER users_touch_listings ON users;
DROP FUNCTION touch_seller_listings();
DROP TRIGGER listing_photos_touch_listing ON listing_photos;
DROP FUNCTION touch_photo_listing();
