-- The newest message of each conversation, kept by the sender (who holds the conversation's
-- row lock), so an inbox page reads its rows' last messages by primary key.
ALTER TABLE conversations ADD COLUMN last_message_id BIGINT;
UPDATE conversations c
SET last_message_id = (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id);
