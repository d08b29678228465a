DROP TRIGGER listings_note_change ON listings;
DROP FUNCTION note_listing_change();
DROP TABLE listing_changes;
ALTER TABLE users DROP COLUMN favorite_mail;
DROP INDEX saved_searches_alert_idx;
ALTER TABLE saved_searches DROP COLUMN alert, DROP COLUMN alert_checked_at, DROP COLUMN alert_mailed_at;
