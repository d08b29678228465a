ALTER TABLE conversations DROP COLUMN last_message_id;
