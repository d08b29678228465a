ALTER TABLE users DROP COLUMN expiry_mail;
DROP TABLE expiry_reminders;
DROP TABLE listing_views;
